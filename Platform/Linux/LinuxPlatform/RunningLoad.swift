import CLinuxPlatform

/// The load this program is: its ID as the binary holds it (`.phone_load_id`, set at the
/// build or by toolchain/set-load-id.sh after it). What a configuration's
/// `<loadInformation>` is compared with.
public enum RunningLoad {
    public static var id: String {
        var bytes = [CChar](repeating: 0, count: Int(CLP_LOAD_ID_SIZE))
        let length = bytes.withUnsafeMutableBufferPointer { clp_load_id($0.baseAddress!, $0.count) }
        return String(decoding: bytes[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

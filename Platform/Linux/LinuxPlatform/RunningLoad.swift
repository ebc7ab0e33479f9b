import CLinuxPlatform
import PhoneCrypto

/// The load this program is: its ID as the binary holds it (`.phone_load_id`, set at the
/// build or by toolchain/set-load-id.sh after it), what a configuration's
/// `<loadInformation>` is compared with; and the image-signing certificate it carries, the
/// anchor every load that follows it is checked against.
public enum RunningLoad {
    /// The hardware level this build is for: a load requiring a lower one is refused
    /// (`ImageSigner.acceptLoad`).
    public static var hardwareLevel: Int { Int(clp_hardware_level()) }

    /// The certificate `clp_image_signer.c` holds; nil only for a build whose bytes there
    /// are no certificate (a test says they are).
    public static var imageSigner: Certificate? {
        var length = 0
        guard let bytes = clp_image_signer(&length) else { return nil }
        return try? Certificate(der: Array(UnsafeBufferPointer(start: bytes, count: length))[...])
    }

    public static var id: String {
        var bytes = [CChar](repeating: 0, count: Int(CLP_LOAD_ID_SIZE))
        let length = bytes.withUnsafeMutableBufferPointer { clp_load_id($0.baseAddress!, $0.count) }
        return String(decoding: bytes[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

import CPhoneSec
import LinuxPlatform
import PhoneCore
import PhoneCrypto
import PhoneTrust
import PhoneWire

/// A certificate the phone holds as `phonesec_certificate_info` (what `phone status` prints).
private func fill(_ info: inout phonesec_certificate_info, _ identity: Identity?) {
    info = phonesec_certificate_info()
    guard let certificate = identity?.certificate else { return }
    info.present = 1
    fill(&info.subject, certificate.subject)
    fill(&info.serial, hexString(certificate.serialNumber))
    fill(&info.md5, (try? certificate.md5()).map { hexString($0) } ?? "")
    fill(&info.key_type, certificate.keyKind.name)
}

@_cdecl("phonesec_phone_info_get")
public func phonesec_phone_info_get(_ phone: OpaquePointer?, _ info: UnsafeMutablePointer<phonesec_phone_info>?,
                                    _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let handle = PhoneHandle.from(phone) else { return answer(PHONESEC_ERR_ARGUMENT, "phone is NULL", message) }
    guard let info else { return answer(PHONESEC_ERR_ARGUMENT, "info is NULL", message) }
    handle.refresh()
    if let refused = handle.refusedForKeyStore(message) { return refused }
    info.pointee = phonesec_phone_info()
    fill(&info.pointee.device, handle.device.text)
    fill(&info.pointee.mic, handle.mic)
    fill(&info.pointee.lsc, handle.lsc)
    let lists = handle.store.installed.prefix(2)
    info.pointee.trust_list_count = lists.count
    for (index, installed) in lists.enumerated() {
        withElement(&info.pointee.trust_lists, index, as: phonesec_trust_list_info.self) { entry in
            fill(&entry.kind, installed.kind.name)
            fill(&entry.file, installed.list.file.filenameText)
            fill(&entry.signer, installed.subject(of: installed.signerRecord))
            entry.records = UInt32(installed.list.records.count)
        }
    }
    info.pointee.last_config_encrypted = handle.storage.loadLastConfigEncrypted() ? 1 : 0
    fill(&info.pointee.tvs, count: &info.pointee.tvs_count, handle.tvsServers.map { ($0.host, $0.port) })
    return answer(PHONESEC_OK, "", message)
}

@_cdecl("phonesec_certificate_der")
public func phonesec_certificate_der(_ phone: OpaquePointer?, _ which: phonesec_certificate_which, _ buffer: UnsafeMutablePointer<UInt8>?,
                                     _ capacity: Int, _ length: UnsafeMutablePointer<Int>?,
                                     _ message: UnsafeMutablePointer<phonesec_message>?) -> phonesec_status {
    guard let length else { return answer(PHONESEC_ERR_ARGUMENT, "length is NULL", message) }
    length.pointee = 0
    guard let handle = PhoneHandle.from(phone) else { return answer(PHONESEC_ERR_ARGUMENT, "phone is NULL", message) }
    let identity: Identity?
    switch which {
    case PHONESEC_CERTIFICATE_MIC: identity = handle.mic
    case PHONESEC_CERTIFICATE_LSC: identity = handle.lsc
    default: return answer(PHONESEC_ERR_ARGUMENT, "which is not a phonesec_certificate_which", message)
    }
    guard let der = identity?.certificate.der else {
        return answer(PHONESEC_ERR_NO_IDENTITY, which == PHONESEC_CERTIFICATE_MIC ? "the phone holds no MIC" : "the phone holds no LSC",
                      message)
    }
    length.pointee = der.count
    guard let buffer, capacity >= der.count else {
        return answer(PHONESEC_ERR_BUFFER_TOO_SMALL, "the certificate is " + String(der.count) + " bytes; the buffer holds "
                      + String(buffer == nil ? 0 : capacity), message)
    }
    for index in 0..<der.count { buffer[index] = der[index] }
    return answer(PHONESEC_OK, "", message)
}

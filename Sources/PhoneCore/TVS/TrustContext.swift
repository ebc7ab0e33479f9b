import PhoneCrypto
import PhoneTrust
import PhoneWire

/// What the phone decides trust with, besides the certificate and its use: the installed
/// lists, the TVS servers of its last configuration (in priority order) and its name
/// towards TVS. The boot, the secure channel, the C API and `phone trust` each hold one
/// and ask every question through it.
public struct TrustContext {
    public let store: TrustStore
    public let tvsServers: [DeviceConfiguration.TVSServer]
    /// nil when the phone's model is not known (no MIC naming it, none given).
    public let deviceName: TVSDeviceName?

    public init(store: TrustStore, tvsServers: [DeviceConfiguration.TVSServer], deviceName: TVSDeviceName?) {
        self.store = store
        self.tvsServers = tvsServers
        self.deviceName = deviceName
    }

    /// The one way a trust question is made.
    public func question(about certificate: [UInt8], for purpose: TrustPurpose) -> TrustQuestion {
        TrustQuestion(certificate: certificate, purpose: purpose, store: store, servers: tvsServers, deviceName: deviceName)
    }
}

extension TVSDeviceName {
    /// The phone's name towards TVS (formats.md §4), made one way for every caller:
    /// `CP-<model>-SEP<MAC>` with the model from the MIC's subject (`CN=CP-7942G-SEP…`),
    /// else the model the phone was given, and the phone's own device name, else the one
    /// its MIC's subject names. nil when the model or the device is unknown.
    public static func ofPhone(device: DeviceName?, micSubject: String?, model: String?) -> TVSDeviceName? {
        guard let device else { return micSubject.flatMap { TVSDeviceName(micSubject: $0) } }
        guard let model = micSubject.flatMap({ TVSDeviceName.model(fromSubject: $0) }) ?? model else { return nil }
        return TVSDeviceName(device: device, model: model)
    }
}

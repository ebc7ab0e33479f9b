import CMbedTLS

/// Writes X.509 v3 certificates with mbedTLS: the lab's PKI (self-signed roots) and the
/// LSCs its CAPF issues. Host tooling and tests use it; the phone itself never issues.
public enum CertificateIssuer {
    public struct Profile {
        public var subject: String
        /// Big-endian serial, at most 20 bytes.
        public var serialNumber: [UInt8]
        /// `YYYYMMDDhhmmss`, UTC.
        public var notBefore: String = "20250101000000"
        public var notAfter: String = "20451231235959"
        public var isCA = false
        /// Client and server authentication, as CUCM's CAPF puts in an LSC.
        public var clientAndServerAuth = true

        public init(subject: String, serialNumber: [UInt8]) {
            self.subject = subject
            self.serialNumber = serialNumber
        }
    }

    /// A certificate for `publicKey`, signed by `issuer` with SHA-256.
    public static func issue(_ profile: Profile, publicKey: PublicKey, issuer: Identity,
                             rng: RandomGenerator) throws(CryptoError) -> Certificate {
        try write(profile, subjectKey: publicKey.context, issuerKey: issuer.privateKey.context,
                  issuerName: issuer.certificate.subject, rng: rng)
    }

    /// A self-signed certificate for `key`.
    public static func selfSigned(_ profile: Profile, key: PrivateKey, rng: RandomGenerator) throws(CryptoError) -> Certificate {
        try write(profile, subjectKey: key.context, issuerKey: key.context, issuerName: profile.subject, rng: rng)
    }

    private static func write(_ profile: Profile, subjectKey: UnsafeMutablePointer<mbedtls_pk_context>,
                              issuerKey: UnsafeMutablePointer<mbedtls_pk_context>, issuerName: String,
                              rng: RandomGenerator) throws(CryptoError) -> Certificate {
        guard !profile.serialNumber.isEmpty, profile.serialNumber.count <= 20 else { throw CryptoError(.invalidInput) }
        let writer = UnsafeMutablePointer<mbedtls_x509write_cert>.allocate(capacity: 1)
        let serial = UnsafeMutablePointer<mbedtls_mpi>.allocate(capacity: 1)
        mbedtls_x509write_crt_init(writer)
        mbedtls_mpi_init(serial)
        defer {
            mbedtls_x509write_crt_free(writer)
            mbedtls_mpi_free(serial)
            writer.deallocate()
            serial.deallocate()
        }
        mbedtls_x509write_crt_set_version(writer, MBEDTLS_X509_CRT_VERSION_3)
        mbedtls_x509write_crt_set_md_alg(writer, MBEDTLS_MD_SHA256)
        mbedtls_x509write_crt_set_subject_key(writer, subjectKey)
        mbedtls_x509write_crt_set_issuer_key(writer, issuerKey)
        try check(mbedtls_x509write_crt_set_subject_name(writer, profile.subject), .invalidInput)
        try check(mbedtls_x509write_crt_set_issuer_name(writer, issuerName), .invalidInput)
        try check(profile.serialNumber.withUnsafeBufferPointer { mbedtls_mpi_read_binary(serial, $0.baseAddress, $0.count) },
                  .invalidInput)
        try check(mbedtls_x509write_crt_set_serial(writer, serial), .invalidInput)
        try check(mbedtls_x509write_crt_set_validity(writer, profile.notBefore, profile.notAfter), .invalidInput)
        try check(mbedtls_x509write_crt_set_basic_constraints(writer, profile.isCA ? 1 : 0, -1), .invalidInput)
        try check(mbedtls_x509write_crt_set_subject_key_identifier(writer), .invalidInput)
        let usage = profile.isCA ? MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_DIGITAL_SIGNATURE
                                 : MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_ENCIPHERMENT
        try check(mbedtls_x509write_crt_set_key_usage(writer, UInt32(usage)), .invalidInput)
        if profile.clientAndServerAuth {
            // extKeyUsage (2.5.29.37): SEQUENCE { serverAuth, clientAuth }
            let oid: [UInt8] = [0x55, 0x1D, 0x25]
            let value: [UInt8] = [0x30, 0x14, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
                                  0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02]
            let result = oid.withUnsafeBufferPointer { oidBytes in
                value.withUnsafeBufferPointer { valueBytes in
                    oidBytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: oidBytes.count) {
                        mbedtls_x509write_crt_set_extension(writer, $0, oidBytes.count, 0, valueBytes.baseAddress, valueBytes.count)
                    }
                }
            }
            try check(result, .invalidInput)
        }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let written = buffer.withUnsafeMutableBufferPointer {
            mbedtls_x509write_crt_der(writer, $0.baseAddress, $0.count, mbedtls_ctr_drbg_random, rng.state)
        }
        guard written > 0 else { throw CryptoError(.sign, code: written) }
        return try Certificate(der: buffer[(buffer.count - Int(written))...])
    }
}

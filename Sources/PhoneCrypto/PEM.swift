import CMbedTLS

/// PEM helpers: finding blocks in a buffer that holds several (a certificate and its key).
public enum PEM {
    public static func contains(_ haystack: [UInt8], _ needle: StaticString) -> Bool {
        find(haystack, needle, from: 0) != nil
    }

    static func find(_ haystack: [UInt8], _ needle: StaticString, from start: Int) -> Int? {
        let count = needle.utf8CodeUnitCount
        guard count > 0, haystack.count >= count else { return nil }
        let pattern = needle.utf8Start
        var index = start
        while index + count <= haystack.count {
            var matched = true
            for offset in 0..<count where haystack[index + offset] != pattern[offset] {
                matched = false
                break
            }
            if matched { return index }
            index += 1
        }
        return nil
    }

    /// Encodes DER as a PEM block with the given label line, e.g.
    /// "-----BEGIN CERTIFICATE-----\n".
    public static func encodeCertificate(_ der: [UInt8]) throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: der.count * 2 + 128)
        var length = 0
        let result = der.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
                                         input.baseAddress, input.count, out.baseAddress, out.count, &length)
            }
        }
        try check(result, .keyExport)
        // The reported length counts the terminating NUL.
        output.removeLast(output.count - length)
        if output.last == 0 { output.removeLast() }
        return output
    }
}

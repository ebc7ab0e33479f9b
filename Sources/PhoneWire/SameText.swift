/// Byte-wise string equality. File names, command words and hashes are ASCII; comparing
/// UTF-8 bytes keeps Unicode normalisation tables out of the Embedded binary (String's
/// `==` would pull them in).
public func sameText(_ left: String, _ right: String) -> Bool {
    left.utf8.elementsEqual(right.utf8)
}

-- Wireshark dissector for the two Cisco phone-security protocols that run inside TLS:
-- CAPF (certificate enrolment, TCP 3804) and TVS (trust verification, TCP 2445), as
-- formats.md §3 and §4 of this project describe them. TLS is decrypted by Wireshark
-- with a key log (`phone … --keylog FILE`, `cucm-lab serve --keylog FILE`); the
-- plaintext reaches these dissectors through the "tls.port" table. Messages split across
-- TLS records are reassembled, several in one record are each dissected; a malformed
-- message is flagged as expert info, never a Lua error. Ports are preferences.
--
-- tshark -X lua_script:Tools/wireshark/capf_tvs.lua -o tls.keylog_file:KEYS -r CAPTURE -V

local capf = Proto("capf", "Cisco CAPF (Certificate Authority Proxy Function)")
local tvs = Proto("tvs", "Cisco TVS (Trust Verification Service)")

capf.prefs.port = Pref.uint("TCP port", 3804, "The CAPF port (inside TLS)")
tvs.prefs.port = Pref.uint("TCP port", 2445, "The TVS port (inside TLS)")

local CAPF_PROTOCOL, TVS_PROTOCOL = 0x55, 0x57
local CAPF_HEADER, TVS_HEADER = 8, 10
-- Nothing legitimate is larger (the phone's own cap is 16 KiB): a bigger length is
-- flagged, never waited for.
local MAX_PAYLOAD = 16 * 1024

local capf_commands = {
    [1] = "AuthRequest", [2] = "AuthResponse", [3] = "KeyGenerateRequest", [4] = "KeyGenerateResponse",
    [5] = "EncryptResponse", [6] = "EncryptRequest", [7] = "DecryptRequest", [8] = "DecryptResponse",
    [9] = "StoreCertificateRequest", [10] = "StoreCertificateResponse", [11] = "FetchCertificateRequest",
    [12] = "FetchCertificateResponse", [13] = "DeleteCertificateRequest", [14] = "DeleteCertificateResponse",
    [15] = "EndSession", [16] = "RetryLater", [17] = "RequestInProgress", [18] = "StatusRequest",
    [19] = "StatusResponse", [20] = "AbortRequest", [21] = "AbortResponse", [22] = "SignCertificateRequest",
    [23] = "SignCertificateResponse",
}
local capf_tags = {
    [1] = "Reason", [2] = "Reason info", [3] = "Certificate type", [4] = "Certificate", [6] = "Signed data (SHA-1)",
    [7] = "Version", [8] = "Auth type", [9] = "Public key", [10] = "Key size", [11] = "Authentication string",
    [12] = "Retry delay", [13] = "Device name", [16] = "SUDI data", [17] = "Key type", [18] = "Curve",
    [19] = "Digest type", [20] = "Signed data (SHA-512)",
}
local reasons = { [0] = "no action", [1] = "success / update certificate", [7] = "invalid element", [9] = "unknown device" }
local auth_types = { [0] = "none", [1] = "authentication string", [2] = "null string", [3] = "LSC", [4] = "MIC" }
local certificate_types = { [1] = "LSC", [2] = "MIC" }
local key_types = { [0] = "RSA", [1] = "EC" }
local curves = { [0] = "P-256", [1] = "P-384", [2] = "P-521" }
local tvs_commands = { [1] = "VerifyRequest", [2] = "VerifyResponse" }
local tvs_tags = { [1] = "Device name", [2] = "Certificate", [7] = "Status", [8] = "Roles", [9] = "TTL" }
local tvs_status = { [0] = "valid", [1] = "invalid" }
local roles = { [0] = "SAST", [1] = "CCM", [2] = "CCM+TFTP", [3] = "TFTP", [4] = "CAPF", [7] = "APP-SERVER", [21] = "TVS" }

local cf = {
    protocol = ProtoField.uint8("capf.protocol", "Protocol", base.HEX),
    command = ProtoField.uint8("capf.command", "Command", base.DEC, capf_commands),
    session = ProtoField.uint32("capf.session_id", "Session ID", base.DEC),
    length = ProtoField.uint16("capf.length", "Payload length", base.DEC),
    element = ProtoField.uint8("capf.element", "Element", base.DEC, capf_tags),
    element_length = ProtoField.uint16("capf.element.length", "Length", base.DEC),
    reason = ProtoField.uint8("capf.reason", "Reason", base.DEC, reasons),
    reason_info = ProtoField.string("capf.reason_info", "Reason info"),
    certificate_type = ProtoField.uint8("capf.certificate_type", "Certificate type", base.DEC, certificate_types),
    certificate = ProtoField.bytes("capf.certificate", "Certificate (DER)"),
    signed_data = ProtoField.bytes("capf.signed_data", "Signed data (SHA-1)"),
    sha2_signed_data = ProtoField.bytes("capf.sha2_signed_data", "Signed data (SHA-512)"),
    version = ProtoField.uint8("capf.version", "Version", base.DEC),
    auth_type = ProtoField.uint8("capf.auth_type", "Auth type", base.DEC, auth_types),
    public_key = ProtoField.bytes("capf.public_key", "Public key (SubjectPublicKeyInfo)"),
    key_algorithm = ProtoField.string("capf.public_key.algorithm", "Key algorithm"),
    key_size = ProtoField.uint16("capf.key_size", "Key size (bits)", base.DEC),
    password = ProtoField.string("capf.authentication_string", "Authentication string"),
    retry_delay = ProtoField.uint32("capf.retry_delay", "Retry delay (s)", base.DEC),
    device_name = ProtoField.string("capf.device_name", "Device name"),
    sudi = ProtoField.bytes("capf.sudi_data", "SUDI data"),
    sudi_part = ProtoField.bytes("capf.sudi_data.part", "SUDI part"),
    key_type = ProtoField.uint8("capf.key_type", "Key type", base.DEC, key_types),
    curve = ProtoField.uint8("capf.curve", "Curve", base.DEC, curves),
    digest_type = ProtoField.uint8("capf.digest_type", "Digest type", base.DEC),
    unknown = ProtoField.bytes("capf.unknown", "Unknown element value"),
}
capf.fields = cf
local capf_malformed = ProtoExpert.new("capf.malformed", "Malformed CAPF message", expert.group.MALFORMED, expert.severity.ERROR)
capf.experts = { capf_malformed }

local tf = {
    protocol = ProtoField.uint8("tvs.protocol", "Protocol", base.HEX),
    version = ProtoField.uint8("tvs.version", "Version", base.DEC),
    command = ProtoField.uint8("tvs.command", "Command", base.DEC, tvs_commands),
    reserved = ProtoField.uint8("tvs.reserved", "Reserved", base.DEC),
    session = ProtoField.uint32("tvs.session_id", "Session ID", base.DEC),
    length = ProtoField.uint16("tvs.length", "Payload length", base.DEC),
    element = ProtoField.uint8("tvs.element", "Element", base.DEC, tvs_tags),
    element_length = ProtoField.uint16("tvs.element.length", "Length", base.DEC),
    device_name = ProtoField.string("tvs.device_name", "Device name"),
    certificate = ProtoField.bytes("tvs.certificate", "Certificate (DER)"),
    status = ProtoField.uint8("tvs.status", "Status", base.DEC, tvs_status),
    role = ProtoField.uint8("tvs.role", "Role", base.DEC, roles),
    ttl = ProtoField.uint32("tvs.ttl", "TTL (s)", base.DEC),
    unknown = ProtoField.bytes("tvs.unknown", "Unknown element value"),
}
tvs.fields = tf
local tvs_malformed = ProtoExpert.new("tvs.malformed", "Malformed TVS message", expert.group.MALFORMED, expert.severity.ERROR)
tvs.experts = { tvs_malformed }

-- Wireshark's X.509 dissector, as its BER "Certificate" syntax.
local certificate_dissector = DissectorTable.get("ber.syntax"):get_dissector("Certificate")

-- DER: the tag, the value's offset and length at `offset` of `range`, or nil.
local function der_item(range, offset)
    if offset + 2 > range:len() then return nil end
    local tag, first = range(offset, 1):uint(), range(offset + 1, 1):uint()
    if first < 0x80 then return tag, offset + 2, first end
    local count = first - 0x80
    if count < 1 or count > 3 or offset + 2 + count > range:len() then return nil end
    local length = range(offset + 2, count):uint()
    return tag, offset + 2 + count, length
end

local oids = {
    ["2a864886f70d010101"] = "RSA", ["2a8648ce3d0201"] = "EC",
    ["2a8648ce3d030107"] = "P-256", ["2b81040022"] = "P-384", ["2b81040023"] = "P-521",
}

-- A SubjectPublicKeyInfo: the algorithm, and the curve or the RSA modulus size, decoded.
local function add_public_key(tree, range, pinfo)
    local item = tree:add(cf.public_key, range)
    local ok = pcall(function()
        local _, body = der_item(range, 0)
        local _, algorithm = der_item(range, body)
        local _, oid_at, oid_length = der_item(range, algorithm)
        local kind = oids[tostring(range(oid_at, oid_length):bytes()):lower()] or "unknown"
        local text = kind
        if kind == "EC" then
            local tag, curve_at, curve_length = der_item(range, oid_at + oid_length)
            if tag == 0x06 then text = "EC " .. (oids[tostring(range(curve_at, curve_length):bytes()):lower()] or "unknown curve") end
        elseif kind == "RSA" then
            local _, alg_end_at, alg_length = der_item(range, body)
            local _, bits_at = der_item(range, alg_end_at + alg_length)
            local _, rsa_at = der_item(range, bits_at + 1)
            local _, modulus_at, modulus_length = der_item(range, rsa_at)
            if range(modulus_at, 1):uint() == 0 then modulus_length = modulus_length - 1 end
            text = "RSA-" .. (modulus_length * 8)
        end
        item:add(cf.key_algorithm, range, text)
        item:append_text(" (" .. text .. ")")
    end)
    if not ok then item:add_proto_expert_info(capf_malformed, "public key is not a SubjectPublicKeyInfo") end
end

local function add_certificate(tree, field, range, pinfo)
    local item = tree:add(field, range)
    certificate_dissector:call(range:tvb(), pinfo, item)
    return item
end

-- Text up to a NUL (or the end).
local function text(range)
    local bytes = range:bytes()
    local length = range:len()
    for index = 0, length - 1 do
        if bytes:get_index(index) == 0 then length = index break end
    end
    if length == 0 then return "" end
    return range(0, length):string()
end

local function capf_element(tree, tvb, pinfo, tag, value)
    local length = value:len()
    if tag == 1 and length == 1 then tree:add(cf.reason, value)
    elseif tag == 2 then tree:add(cf.reason_info, value, text(value))
    elseif tag == 3 and length == 1 then tree:add(cf.certificate_type, value)
    elseif tag == 4 then
        -- 01, u16 (DER length + 2), 00, certificate type, then the DER.
        if length < 6 then return false end
        tree:add(cf.certificate_type, value(4, 1))
        add_certificate(tree, cf.certificate, value(5), pinfo)
    elseif tag == 6 then tree:add(cf.signed_data, value)
    elseif tag == 7 and length == 1 then tree:add(cf.version, value)
    elseif tag == 8 and length == 1 then tree:add(cf.auth_type, value)
    elseif tag == 9 then add_public_key(tree, value, pinfo)
    elseif tag == 10 and length == 2 then tree:add(cf.key_size, value)
    elseif tag == 11 then tree:add(cf.password, value, text(value))
    elseif tag == 12 and (length == 1 or length == 2 or length == 4) then tree:add(cf.retry_delay, value, value:uint())
    elseif tag == 13 then tree:add(cf.device_name, value, text(value))
    elseif tag == 16 then
        -- 00 certificate, 01 SHA-1 signature, 03 SHA-512 signature; each u8 kind, u16 length.
        local sudi = tree:add(cf.sudi, value)
        local offset = 0
        while offset + 3 <= length do
            local kind, part_length = value(offset, 1):uint(), value(offset + 1, 2):uint()
            if offset + 3 + part_length > length then return false end
            if kind == 0 then add_certificate(sudi, cf.certificate, value(offset + 3, part_length), pinfo)
            else sudi:add(cf.sudi_part, value(offset + 3, part_length)):append_text(kind == 1 and " (SHA-1 signature)" or " (SHA-512 signature)") end
            offset = offset + 3 + part_length
        end
    elseif tag == 17 and length == 1 then tree:add(cf.key_type, value)
    elseif tag == 18 and length == 1 then tree:add(cf.curve, value)
    elseif tag == 19 and length == 1 then tree:add(cf.digest_type, value)
    elseif tag == 20 then
        if length < 3 then return false end
        tree:add(cf.sha2_signed_data, value(3))
    elseif capf_tags[tag] then return false
    else tree:add(cf.unknown, value) end
    return true
end

local function tvs_element(tree, tvb, pinfo, tag, value)
    local length = value:len()
    if tag == 1 then
        -- A 0x01 byte, then the name, no NUL.
        if length < 2 then return false end
        tree:add(tf.device_name, value(1), value(1):string())
    elseif tag == 2 then add_certificate(tree, tf.certificate, value, pinfo)
    elseif tag == 7 and length == 1 then tree:add(tf.status, value)
    elseif tag == 8 then for index = 0, length - 1 do tree:add(tf.role, value(index, 1)) end
    elseif tag == 9 and length == 4 then tree:add(tf.ttl, value)
    elseif tvs_tags[tag] then return false
    else tree:add(tf.unknown, value) end
    return true
end

-- One message: header, then `tag u8, length u16, value` elements.
local function dissect_message(tvb, pinfo, tree, spec)
    local f = spec.fields
    local subtree = tree:add(spec.proto, tvb())
    subtree:add(f.protocol, tvb(0, 1))
    local command_at = spec.header == TVS_HEADER and 2 or 1
    if spec.header == TVS_HEADER then
        subtree:add(f.version, tvb(1, 1))
        subtree:add(f.command, tvb(2, 1))
        subtree:add(f.reserved, tvb(3, 1))
        subtree:add(f.session, tvb(4, 4))
        subtree:add(f.length, tvb(8, 2))
    else
        subtree:add(f.command, tvb(1, 1))
        subtree:add(f.session, tvb(2, 4))
        subtree:add(f.length, tvb(6, 2))
    end
    local command = tvb(command_at, 1):uint()
    local name = spec.commands[command] or ("command " .. command)
    subtree:append_text(", " .. name)
    table.insert(spec.names, name)
    if not spec.commands[command] then subtree:add_proto_expert_info(spec.malformed, "unknown command " .. command) end
    local offset = spec.header
    while offset < tvb:len() do
        if offset + 3 > tvb:len() then
            subtree:add_proto_expert_info(spec.malformed, "element header cut at offset " .. offset)
            return
        end
        local tag, length = tvb(offset, 1):uint(), tvb(offset + 1, 2):uint()
        if offset + 3 + length > tvb:len() then
            subtree:add_proto_expert_info(spec.malformed, "element " .. tag .. " crosses the end of the message at offset " .. offset)
            return
        end
        local element = subtree:add(f.element, tvb(offset, 1))
        element:set_len(3 + length)
        element:add(f.element_length, tvb(offset + 1, 2))
        local value = length > 0 and tvb(offset + 3, length) or tvb(offset + 1, 2)
        local ok, valid = pcall(spec.element, element, tvb, pinfo, tag, length > 0 and value or tvb(offset + 3, 0))
        if not ok or not valid then element:add_proto_expert_info(spec.malformed, "element " .. tag .. " malformed") end
        offset = offset + 3 + length
    end
end

-- Splits the TLS plaintext into messages, asking for more when one continues in the
-- next record.
local function dissect_stream(tvb, pinfo, tree, spec)
    spec.names = {}
    local offset, total = 0, tvb:len()
    while offset < total do
        local remaining = total - offset
        if remaining < spec.header then
            pinfo.desegment_offset = offset
            pinfo.desegment_len = DESEGMENT_ONE_MORE_SEGMENT
            return total
        end
        if tvb(offset, 1):uint() ~= spec.protocol_byte then
            local item = tree:add(spec.proto, tvb(offset))
            item:add_proto_expert_info(spec.malformed, string.format("not a %s message (protocol byte 0x%02x)", spec.name, tvb(offset, 1):uint()))
            return total
        end
        local length = tvb(offset + spec.header - 2, 2):uint()
        if length > MAX_PAYLOAD then
            local item = tree:add(spec.proto, tvb(offset))
            item:add_proto_expert_info(spec.malformed, "payload length " .. length .. " over the " .. MAX_PAYLOAD .. "-byte cap")
            return total
        end
        local size = spec.header + length
        if remaining < size then
            pinfo.desegment_offset = offset
            pinfo.desegment_len = size - remaining
            return total
        end
        local ok, problem = pcall(dissect_message, tvb(offset, size):tvb(), pinfo, tree, spec)
        if not ok then tree:add_proto_expert_info(spec.malformed, "could not dissect: " .. tostring(problem)) end
        offset = offset + size
        -- The certificate dissector writes the columns too: ours are set last.
        pinfo.cols.protocol:set(spec.name)
        pinfo.cols.info:set(table.concat(spec.names, ", "))
    end
    return total
end

local capf_spec = { proto = capf, name = "CAPF", fields = cf, header = CAPF_HEADER, protocol_byte = CAPF_PROTOCOL,
                    commands = capf_commands, element = capf_element, malformed = capf_malformed }
local tvs_spec = { proto = tvs, name = "TVS", fields = tf, header = TVS_HEADER, protocol_byte = TVS_PROTOCOL,
                   commands = tvs_commands, element = tvs_element, malformed = tvs_malformed }

function capf.dissector(tvb, pinfo, tree) return dissect_stream(tvb, pinfo, tree, capf_spec) end
function tvs.dissector(tvb, pinfo, tree) return dissect_stream(tvb, pinfo, tree, tvs_spec) end

-- Inside TLS on the preference ports; "Decode As" for plaintext captures (tcp.port).
local registered = {}
local function register()
    local tls_ports = DissectorTable.get("tls.port")
    for proto, old in pairs(registered) do tls_ports:remove(old, proto) end
    registered = { [capf] = capf.prefs.port, [tvs] = tvs.prefs.port }
    tls_ports:add(capf.prefs.port, capf)
    tls_ports:add(tvs.prefs.port, tvs)
end
capf.prefs_changed = register
tvs.prefs_changed = register
register()
DissectorTable.get("tcp.port"):add_for_decode_as(capf)
DissectorTable.get("tcp.port"):add_for_decode_as(tvs)

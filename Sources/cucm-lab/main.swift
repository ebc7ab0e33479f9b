import CUCMLab
import Foundation

// cucm-lab: a lab cluster for the phone (host only). See `cucm-lab help`.
let usage = """
    usage: cucm-lab <command> [options]
      demo [--ec]                            the whole story of the troubleshooting note, on loopback (--ec: an EC LSC
                                             and its configuration over HTTPS 6971)
      init --dir DIR [--ec]                  a lab PKI (SAST, CCM+TFTP, CAPF, TVS; RSA-2048), ITLFile.tlv, device table
                                             (--ec: also an EC P-256 TFTP certificate, listed in an ITL of signer version 1.1)
      device add SEP<MAC> --dir DIR [--profile encrypted|authenticated|non-secure]
                 [--capf-auth auto|null|string:DIGITS] [--operation install|fetch|delete|none]
                 [--key rsa:1024|2048|3072|4096 | ec:P-256|P-384|P-521 | ec:CURVE,rsa:BITS]   (key order; the last is
                                             "EC preferred, RSA backup")
      device list --dir DIR
      sql --dir DIR "select md5hash,name from device where name='SEP…'"     (read-only)
      serve --dir DIR [--host 127.0.0.1] [--tftp-port P] [--http-port P] [--capf-port P] [--tvs-port P] [--https-port P]
            [--sip-tls-port P] [--attack NAME] [--keylog FILE]
                                             NAME: an evil-cluster attack (docs/hostile-clusters.md); HTTPS (6971
                                             by CUCM's numbering, any free port by default) in an --ec lab only;
                                             SIP-TLS (the call manager's securedSipPort in the configurations;
                                             REGISTER: 200 for the LSC the lab issued to the device, else 403)
      tvs add CERT --dir DIR --roles ROLE[,ROLE…] [--ttl SECONDS]    TVS vouches for CERT (roles: sast, ccm, ccm+tftp,
                                             tftp, capf, app-server, tvs; TTL 3600 by default)
      tvs list --dir DIR                     what TVS vouches for beyond the lab's own certificates
      rotate-ccm --dir DIR [--step new-key|recovery]
                                             the CallManager certificate change: new-key (a new CallManager key signs
                                             the ITL; TVS vouches for it), then recovery (the SAST signs again)
      itl --dir DIR --out FILE               write the lab's ITL again (fresh timestamp)
      sign FILE --dir DIR --name NAME --out OUT       a .sgn signed by the lab's CCM+TFTP key
      encrypt FILE --dir DIR --name NAME --cert PEM --out OUT   a .enc.sgn for that certificate
    """

var arguments = Array(CommandLine.arguments.dropFirst())
let status = LabCommands.run(arguments, usage: usage)
exit(status)

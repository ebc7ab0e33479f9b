import LinuxPlatform
import PhoneApp
import PhoneRuntime

// Arguments come from the platform (Embedded Swift has no CommandLine of its own).
let status = PhoneProgram.run(Array(LinuxProcess.arguments.dropFirst()), io: LinuxPhoneIO())
exitProcess(status)

import LinuxPlatform
import PhoneApp

// Arguments come from the platform (Embedded Swift has no CommandLine of its own).
let status = PhoneProgram.run(Array(LinuxProcess.arguments.dropFirst()), io: LinuxCommandIO())
exitProcess(status)

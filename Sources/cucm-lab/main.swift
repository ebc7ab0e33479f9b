import CUCMLab

// cucm-lab: a lab cluster for the phone (host only). `cucm-lab --help`, and `--help` of
// every subcommand, say what each does.
LabCommand.main()

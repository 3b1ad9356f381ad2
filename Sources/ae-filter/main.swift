// The ae-filter executable: the commands with the plugins that ship built in.
// CAEStartup has installed the SIGINT and SIGTERM handlers before this runs.
import AEFilter
import AEFilterCommands
import CAEStartup

precondition(CAEStartup_ran() == 1)
AEFilterCommand.main(plugins: .standard)

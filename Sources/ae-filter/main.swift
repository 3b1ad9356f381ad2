// The ae-filter executable: the commands with the plugins that ship built in.
import AEFilter
import AEFilterCommands

AEFilterCommand.main(plugins: .standard)

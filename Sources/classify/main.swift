import NeuronaCommands

ClassifyCommand.main()

import NeuronaCommands

SegmentCommand.main()

import Neurona
import NeuronaCommands

Allocator.keepLargeBlocks()
SegmentCommand.main()

import Neurona
import NeuronaCommands

Allocator.keepLargeBlocks()
ClassifyCommand.main()

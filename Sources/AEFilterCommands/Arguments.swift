import AEFilterCore
import AETraining
import ArgumentParser

extension Fit: ExpressibleByArgument {}
extension Invert: ExpressibleByArgument {}
extension Emit: ExpressibleByArgument {}
extension TrainingConfiguration.Schedule: ExpressibleByArgument {}

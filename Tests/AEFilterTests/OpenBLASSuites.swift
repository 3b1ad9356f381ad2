import Testing

/// Suites that make OpenBLAS backends. OpenBLAS keeps one thread count for the
/// whole process, set by the last backend made, and its results depend on it;
/// run one at a time, no suite changes it under another's bit-exact checks.
/// They share this test target whatever library they test (`TrainingTests`
/// is AETraining's): `.serialized` orders only the suites under it, and every
/// test target runs in the one test process.
@Suite(.serialized) enum OpenBLASSuites {}

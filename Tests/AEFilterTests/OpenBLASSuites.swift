import Testing

/// Suites that make OpenBLAS backends. OpenBLAS keeps one thread count for the
/// whole process, set by the last backend made, and its results depend on it;
/// run one at a time, no suite changes it under another's bit-exact checks.
@Suite(.serialized) enum OpenBLASSuites {}

// The suites here put the machine under load and break things on purpose: one at a time, so a test's figures and
// timings are its own, not another test's load.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]

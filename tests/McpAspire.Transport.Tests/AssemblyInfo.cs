using McpAspire.Transport.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(HostsFixture))]

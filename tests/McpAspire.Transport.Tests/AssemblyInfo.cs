using McpAspire.Testing;

[assembly: AssemblyFixture(typeof(HostsFixture))]

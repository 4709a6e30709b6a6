using McpAspire.Tools.Notes;

namespace McpAspire.Tools.Tests;

public sealed class InMemoryNoteStoreTests
{
    private readonly InMemoryNoteStore _store = new(TimeProvider.System);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_ThenGet_ReturnsTheStoredContent()
    {
        await _store.PutAsync("alice", "todo", "buy milk", Ct);

        var note = await _store.GetAsync("alice", "todo", Ct);

        Assert.NotNull(note);
        Assert.Equal("todo", note.Name);
        Assert.Equal("buy milk", note.Content);
    }

    [Fact]
    public async Task Get_OtherPrincipalsNote_ReturnsNull()
    {
        await _store.PutAsync("alice", "todo", "secret", Ct);

        Assert.Null(await _store.GetAsync("bob", "todo", Ct));
        Assert.Empty(await _store.ListAsync("bob", 10, Ct));
    }

    [Fact]
    public async Task List_ReturnsOnlyThePrincipalsNotesOrderedByNameUpToTheLimit()
    {
        await _store.PutAsync("alice", "b", "2", Ct);
        await _store.PutAsync("alice", "a", "1", Ct);
        await _store.PutAsync("alice", "c", "3", Ct);
        await _store.PutAsync("bob", "0", "x", Ct);

        var notes = await _store.ListAsync("alice", 2, Ct);

        Assert.Equal(["a", "b"], notes.Select(n => n.Name));
    }

    [Fact]
    public async Task Delete_ReportsWhetherThereWasANote()
    {
        await _store.PutAsync("alice", "todo", "x", Ct);

        Assert.True(await _store.DeleteAsync("alice", "todo", Ct));
        Assert.False(await _store.DeleteAsync("alice", "todo", Ct));
        Assert.Null(await _store.GetAsync("alice", "todo", Ct));
    }
}

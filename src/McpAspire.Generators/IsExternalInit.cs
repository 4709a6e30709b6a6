namespace System.Runtime.CompilerServices;

/// <summary>Lets netstandard2.0 (what the compiler loads generators as) compile records and init accessors.</summary>
internal static class IsExternalInit;

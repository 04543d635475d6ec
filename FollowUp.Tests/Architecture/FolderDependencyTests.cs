using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FollowUp.Tests.Architecture;

/// <summary>
/// FollowUp.Jobs' folders (each one namespace) form a graph with no cycle: a newcomer can read them
/// bottom-up, and a folder can be understood without the ones above it.
/// </summary>
/// <remarks>
/// The graph is read from the sources with the C# compiler's semantic model, not from the compiled
/// assembly's metadata: a <c>const</c> (every <c>MessageKind</c>, <c>EngineOptions.CriticalQueue</c>) is
/// copied into the IL of the code that uses it, and <c>nameof</c> and attribute arguments leave no type
/// reference behind, so metadata would miss real dependencies. Binding every name (rather than matching
/// text, as <c>scripts/folder-deps.py</c> does for a quick look) also ignores unused <c>using</c>s,
/// comments and same-named members. XML doc <c>cref</c>s are not dependencies and are not read.
/// Types in the root namespace (<c>FollowUp.Jobs</c>: the composition root, shared option checks) are
/// nodes of their own, so a root type that both uses a folder and is used by it is a cycle too.
/// </remarks>
[TestFixture]
public sealed class FolderDependencyTests
{
    private const string RootNamespace = "FollowUp.Jobs";

    [Test]
    public void FollowUpJobs_FolderGraph_HasNoCycle()
    {
        var graph = BuildGraph(out var evidence);
        Assert.That(graph.Keys, Has.Count.GreaterThan(5), "the graph was read (one node per folder)");

        var cycles = StronglyConnectedComponents(graph).Where(c => c.Count > 1).ToList();
        var report = string.Join("\n", cycles.Select(c =>
            "cycle: " + string.Join(" <-> ", c.Order(StringComparer.Ordinal)) + "\n" + string.Join("\n",
                from source in c.Order(StringComparer.Ordinal)
                from target in graph[source].Where(c.Contains).Order(StringComparer.Ordinal)
                select $"  {source} -> {target}: {string.Join(", ", evidence[(source, target)].Order(StringComparer.Ordinal))}")));
        Assert.That(cycles, Is.Empty, report);
    }

    [Test]
    public void StronglyConnectedComponents_ThreeFolderLoop_IsOneComponent()
    {
        // The detector itself: a → b → c → a is one component; d, hanging off it, is its own.
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            ["a"] = ["b"], ["b"] = ["c"], ["c"] = ["a", "d"], ["d"] = [],
        };

        var components = StronglyConnectedComponents(graph);

        Assert.That(components.Select(c => string.Join(",", c.Order(StringComparer.Ordinal))),
            Is.EquivalentTo(new[] { "a,b,c", "d" }));
    }

    /// <summary>Folder (or root type) → the folders it uses, with the files behind each edge.</summary>
    private static Dictionary<string, HashSet<string>> BuildGraph(out Dictionary<(string From, string To), HashSet<string>> evidence)
    {
        var sourceRoot = Path.Combine(RepositoryRoot(), "FollowUp.Jobs");
        var files = Directory.EnumerateFiles(sourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(sourceRoot, f)))
            .ToList();
        var parse = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview);
        // The SDK's implicit usings for a console/library project (they live in obj/, which is not read).
        var implicitUsings = CSharpSyntaxTree.ParseText("""
            global using System;
            global using System.Collections.Generic;
            global using System.IO;
            global using System.Linq;
            global using System.Net.Http;
            global using System.Threading;
            global using System.Threading.Tasks;
            """, parse);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), parse, f)).Append(implicitUsings).ToList();
        var compilation = CSharpCompilation.Create("FollowUp.Jobs.Graph", trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var unresolved = compilation.GetDiagnostics().Where(d => d.Id is "CS0246" or "CS0234").Take(5).ToList();
        Assert.That(unresolved, Is.Empty, "every type name resolves, so no dependency goes unseen");

        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        evidence = [];
        foreach (var tree in trees.Where(t => t != implicitUsings))
        {
            var model = compilation.GetSemanticModel(tree);
            var root = tree.GetRoot();
            foreach (var name in root.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                if (name.Ancestors().Any(a => a is UsingDirectiveSyntax))
                {
                    continue;
                }

                var info = model.GetSymbolInfo(name);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                var from = EnclosingNode(model, name);
                var to = symbol is null ? null : NodeOf(symbol);
                if (from is null || to is null)
                {
                    continue;
                }

                graph.TryAdd(from, new HashSet<string>(StringComparer.Ordinal));
                graph.TryAdd(to, new HashSet<string>(StringComparer.Ordinal));
                if (from != to && graph[from].Add(to))
                {
                    evidence[(from, to)] = new HashSet<string>(StringComparer.Ordinal);
                }

                if (from != to)
                {
                    evidence[(from, to)].Add(Path.GetRelativePath(sourceRoot, tree.FilePath));
                }
            }
        }

        return graph;
    }

    /// <summary>The node of the type declaration a name is written in.</summary>
    private static string? EnclosingNode(SemanticModel model, SyntaxNode node)
    {
        var declaration = node.AncestorsAndSelf().OfType<BaseTypeDeclarationSyntax>().LastOrDefault() as SyntaxNode
            ?? node.AncestorsAndSelf().OfType<DelegateDeclarationSyntax>().LastOrDefault();
        return declaration is null ? null : model.GetDeclaredSymbol(declaration) is { } type ? NodeOf(type) : null;
    }

    /// <summary>
    /// The folder a symbol of FollowUp.Jobs belongs to (its namespace's first segment under
    /// FollowUp.Jobs), the type's own name for a type in the root namespace, null for anything else.
    /// </summary>
    private static string? NodeOf(ISymbol symbol)
    {
        var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        if (type is null || !type.Locations.Any(l => l.IsInSource))
        {
            return null;
        }

        while (type.ContainingType is not null)
        {
            type = type.ContainingType;
        }

        var ns = type.ContainingNamespace.ToDisplayString();
        if (ns == RootNamespace)
        {
            return $"{RootNamespace}.{type.Name}";
        }

        return ns.StartsWith(RootNamespace + ".", StringComparison.Ordinal)
            ? ns[(RootNamespace.Length + 1)..].Split('.')[0]
            : null;
    }

    /// <summary>Tarjan's algorithm: every strongly connected component of the graph.</summary>
    internal static List<List<string>> StronglyConnectedComponents(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLink = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<List<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = lowLink[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var edges) ? edges : [])
            {
                if (!index.TryGetValue(w, out var seen))
                {
                    Visit(w);
                    lowLink[v] = Math.Min(lowLink[v], lowLink[w]);
                }
                else if (onStack.Contains(w))
                {
                    lowLink[v] = Math.Min(lowLink[v], seen);
                }
            }

            if (lowLink[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                components.Add(component);
            }
        }

        foreach (var v in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }

        return components;
    }

    private static bool IsBuildOutput(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj";

    /// <summary>The framework and every package FollowUp.Jobs uses: all are beside the test assembly, or in the runtime.</summary>
    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var local = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll");
        return platform.Concat(local)
            .Where(p => !Path.GetFileName(p).StartsWith("FollowUp.", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(p => MetadataReference.CreateFromFile(p));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FollowUp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No FollowUp.sln above {AppContext.BaseDirectory}.");
    }
}

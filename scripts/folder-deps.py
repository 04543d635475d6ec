#!/usr/bin/env python3
# Lists which FollowUp.Jobs folder uses which (using directives and qualified names, comments ignored),
# with the files behind each edge: a quick look by text. The proof that the graph has no cycle is
# FollowUp.Tests/Architecture/FolderDependencyTests.cs (names bound by the compiler). Usage: scripts/folder-deps.py [FollowUp.Jobs]
import re,os,sys,collections
root=sys.argv[1] if len(sys.argv)>1 else 'FollowUp.Jobs'
folders=[d for d in os.listdir(root) if os.path.isdir(os.path.join(root,d)) and d not in('bin','obj')]
ref=re.compile(r'(?:\bFollowUp\.Jobs\.|(?<![\w.])(?=[A-Z]\w*\.[A-Z]))(?P<f>[A-Z]\w*)\b')
com=re.compile(r'//[^\n]*|/\*.*?\*/',re.S)
edges=collections.defaultdict(lambda: collections.defaultdict(set))
for f in folders:
  for dp,_,fs in os.walk(os.path.join(root,f)):
    for n in fs:
      if not n.endswith('.cs'): continue
      src=com.sub('',open(os.path.join(dp,n)).read())
      for m in ref.finditer(src):
        t=m.group('f')
        if t!=f and t in folders: edges[f][t].add(n)
for f in sorted(edges):
  for t in sorted(edges[f]): print(f"{f} -> {t}: {', '.join(sorted(edges[f][t]))}")

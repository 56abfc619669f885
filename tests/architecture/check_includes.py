#!/usr/bin/env python3
"""Checks that each sim/ module includes only the headers of the modules its DEPS allow.

Every module exports the repository root as an include directory, so the compiler accepts
a forbidden #include "sim/other/x.hpp" and the linker checks only symbols. The allowed edges
are written once, as the sortie::X entries of each sortie_module's DEPS; CMake writes them to
the edges file (sortie_write_module_edges in cmake/SortieTarget.cmake), one line per module:
"module: dep1 dep2 ..." (direct deps only; '#' starts a comment).

  check_includes.py EDGES ROOT     check every .hpp/.cpp/.inc under ROOT/sim and ROOT/tools
  check_includes.py --print EDGES  the direct edges as a Markdown table, for the docs
  check_includes.py --self-test    show on a tiny tree that the checker does fail
"""
import argparse
import posixpath
import re
import subprocess
import sys
import tempfile
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')  # quoted includes: <...> are third-party
SOURCES = {'.hpp', '.cpp', '.inc'}


def read_edges(path):
    """{module: [direct deps]} in declaration order, and the errors of the graph itself."""
    edges, errors = {}, []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        module, colon, deps = line.partition(':')
        if not colon or not module.strip():
            errors.append(f'{path}:{n}: expected "module: dep1 dep2 ...", got {line!r}')
            continue
        edges[module.strip()] = deps.split()
    for module, deps in edges.items():
        errors += [f'{path}: module {module!r} depends on {d!r}, which is not a sortie_module'
                   for d in deps if d not in edges]
    cycle = find_cycle(edges)
    if cycle:
        errors.append(f'{path}: dependency cycle: {" -> ".join(cycle)}')
    return edges, errors


def find_cycle(edges):
    """One cycle as a list of modules (first == last), or None: the layers must form a DAG."""
    state = {}  # module -> 'open' while on the DFS stack, 'done' once fully explored

    def visit(module, stack):
        state[module] = 'open'
        for dep in edges.get(module, []):
            if state.get(dep) == 'open':
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (cycle := visit(dep, stack + [dep])):
                return cycle
        state[module] = 'done'
        return None

    for module in edges:
        if module not in state and (cycle := visit(module, [module])):
            return cycle
    return None


def closure(edges, module):
    """Every module reachable from module's deps: what its files may include."""
    seen, todo = set(), list(edges.get(module, []))
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo += edges.get(dep, [])
    return seen


def resolve(root, source, name):
    """The included file as a root-relative path. Like the compiler, the including file's own
    folder first (so "../engine/x.hpp" cannot slip past), then the repository root, which is
    every module's include directory."""
    local = (source.parent / name).resolve()
    if local.is_file() and local.is_relative_to(root):
        return local.relative_to(root).as_posix()
    return posixpath.normpath(name)


def check(edges, root):
    """(violations, files scanned, includes of the repository checked)."""
    allowed = {m: closure(edges, m) for m in edges}
    violations, files, checked = [], 0, 0
    for top in ('sim', 'tools'):
        for source in sorted((root / top).rglob('*')):
            if source.suffix not in SOURCES or not source.is_file():
                continue
            files += 1
            rel = source.relative_to(root)
            module = rel.parts[1] if top == 'sim' and len(rel.parts) > 2 else None
            if top == 'sim' and module not in edges:
                # Otherwise a new folder would escape the check: every folder of sim/ is a module.
                violations.append(f'{rel}:1: not in a module: sim/{module or ""} is not declared '
                                  'with sortie_module')
                continue
            lines = source.read_text(errors='replace').splitlines()
            for n, line in enumerate(lines, 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = resolve(root, source, match.group(1))
                parts = target.split('/')
                if parts[0] not in ('sim', 'tools', 'tests'):
                    continue  # third-party or generated (build_info), not an edge
                checked += 1
                where = f"{rel}:{n}: " + (f"module '{module}'" if module else f"'{top}/'")
                if parts[0] == 'tests' or (parts[0] == 'tools' and module):
                    # sim/ is the library, tools/ sits on top of it and tests/ on both.
                    violations.append(f"{where} includes '{target}' but {top}/ may not include "
                                      f"{parts[0]}/")
                elif parts[0] == 'sim':
                    used = parts[1] if len(parts) > 2 else ''
                    if used not in edges:
                        violations.append(f"{where} includes '{target}', which is in no module")
                    elif module and used != module and used not in allowed[module]:
                        may = ', '.join(sorted(allowed[module])) or '(no other module)'
                        violations.append(f"{where} includes '{target}' but may use only: {may}")
    return violations, files, checked


def table(edges):
    lines = ['| module | may use (direct) |', '|---|---|']
    for module, deps in edges.items():
        lines.append(f"| {module} | {', '.join(deps) or '—'} |")
    return lines


DOC_BEGIN, DOC_END = '<!-- module-edges:begin -->', '<!-- module-edges:end -->'


def check_doc(edges, doc):
    """The table between the markers of `doc` must be the one the edges give, so that the
    documented architecture cannot drift from the one CMake enforces."""
    text = Path(doc).read_text(encoding='utf-8').splitlines()
    if DOC_BEGIN not in text or DOC_END not in text:
        return [f'{doc}: no {DOC_BEGIN} ... {DOC_END} table of the module edges']
    shown = text[text.index(DOC_BEGIN) + 1:text.index(DOC_END)]
    if shown != table(edges):
        return [f'{doc}: the table of module edges differs from the DEPS in CMake; '
                'paste the output of check_includes.py --print EDGES']
    return []


def self_test():
    """Runs this script on tiny trees: a check that cannot fail proves nothing."""
    def write(path, text):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def run(edges_text):
        write(tmp / 'edges.txt', edges_text)
        done = subprocess.run([sys.executable, __file__, str(tmp / 'edges.txt'), str(tmp)],
                              capture_output=True, text=True)
        return done.returncode, (done.stdout + done.stderr).splitlines()

    failures = []

    def expect(what, ok):
        print(('ok   ' if ok else 'FAIL ') + what)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name).resolve()
        # b may use a, c may use b (so a, transitively); a may use nothing.
        write(tmp / 'sim/a/a.hpp', '#pragma once\n#include <vector>\n#include "sim/b/b.hpp"\n')
        write(tmp / 'sim/b/b.hpp', '#pragma once\n#include "sim/a/a.hpp"\n')
        write(tmp / 'sim/c/c.cpp', '#include "sim/c/c.hpp"\n#include "sim/a/a.hpp"\n')
        write(tmp / 'sim/c/c.hpp', '#pragma once\n')
        write(tmp / 'tools/app/main.cpp', '#include "sim/c/c.hpp"\n#include "tools/app/x.hpp"\n')
        edges = 'a:\nb: a\nc: b\n'

        rc, out = run(edges)
        expect('a -> b without an edge fails with exactly that violation',
               rc == 1 and [l for l in out if ': module ' in l] ==
               ["sim/a/a.hpp:3: module 'a' includes 'sim/b/b.hpp' but may use only: "
                "(no other module)"])

        write(tmp / 'sim/a/a.hpp', '#pragma once\n')
        rc, out = run(edges)
        expect('legal includes (direct, transitive, own module, tools/) pass',
               rc == 0 and out == ['module edges: 5 files, 5 includes checked, 0 violations'])

        rc, out = run('a: c\nb: a\nc: b\n')
        expect('a cycle in the edges is reported', rc == 1 and any(
            'dependency cycle: a -> c -> b -> a' in l for l in out))

        write(tmp / 'sim/d/d.hpp', '#pragma once\n')
        write(tmp / 'sim/a/a.hpp', '#pragma once\n#include "../c/c.hpp"\n#include "tools/app/x.hpp"\n')
        rc, out = run(edges)
        expect('an undeclared sim/ folder, a relative include and sim/ -> tools/ are reported',
               rc == 1 and out[:-1] == [
                   'sim/a/a.hpp:2: module \'a\' includes \'sim/c/c.hpp\' but may use only: '
                   '(no other module)',
                   "sim/a/a.hpp:3: module 'a' includes 'tools/app/x.hpp' but sim/ may not include tools/",
                   'sim/d/d.hpp:1: not in a module: sim/d is not declared with sortie_module'])
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('edges', nargs='?', help='the edges file CMake writes in the build folder')
    parser.add_argument('root', nargs='?', help='the repository root')
    parser.add_argument('--print', action='store_true', help='print the edges as Markdown')
    parser.add_argument('--self-test', action='store_true', help='check the checker')
    parser.add_argument('--doc', help='a Markdown file whose module table must match the edges')
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.edges or not (args.print or args.root):
        parser.error('expected EDGES ROOT, --print EDGES or --self-test')
    if not Path(args.edges).is_file():
        print(f'{args.edges}: no such file (CMake writes it when it configures)', file=sys.stderr)
        return 2
    edges, errors = read_edges(args.edges)
    if args.print:
        print('\n'.join(table(edges)))
        return 0
    violations, files, checked = check(edges, Path(args.root).resolve())
    if args.doc:
        violations += check_doc(edges, args.doc)
    for line in errors + violations:
        print(line)
    print(f'module edges: {files} files, {checked} includes checked, '
          f'{len(errors) + len(violations)} violations')
    return 1 if errors or violations else 0


if __name__ == '__main__':
    sys.exit(main())

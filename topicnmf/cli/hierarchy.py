"""``topicnmf hierarchy``: a topic tree by rank-2 splits (HierNMF2, Kuang & Park 2013).

A command of its own rather than ``fit --hierarchy``: the tree has its own parameters
(leaves, split rule, term weights, partition, smallest child, starts) and its own outputs (the
tree table, each document's leaf, the tree plot), and none of ``fit``'s solver options apply to it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from topicnmf.cli import _options as opt
from topicnmf.cli._console import Progress, inert, out, say
from topicnmf.cli._errors import user_errors
from topicnmf.cli._options import Corpus, TextColumn, TopWords
from topicnmf.cli.fit import reading_line

__all__ = ["hierarchy"]

Out = opt.out("hierarchy")
Seed = opt.seed("Random seed of the splits.")
Force = opt.force()


def _tree_table(table, title: str):
    """The tree as a rich table: each node indented by its depth, its documents, share and words."""
    from rich.table import Table
    from rich.text import Text

    shown = Table(title=Text(inert(title)), show_lines=False)
    for name, justify in (("node", "left"), ("topic", "right"), ("documents", "right"), ("share", "right"),
                          ("top words", "left")):
        shown.add_column(name, justify=justify)
    children: dict[int, list] = {}
    for row in table.itertuples(index=False):
        children.setdefault(int(row.parent), []).append(row)
    stack = list(reversed(children.get(-1, [])))
    while stack:
        row = stack.pop()
        cells = ["  " * int(row.depth) + str(row.node), "" if row.topic < 0 else str(row.topic),
                 f"{row.documents:,}", f"{100 * row.share:.1f}%", inert(row.top_words)]
        shown.add_row(*(Text(c) for c in cells))
        stack.extend(reversed(children.get(int(row.node), [])))
    return shown


def hierarchy(
    corpus: Corpus,
    leaves: Annotated[int, typer.Option("--leaves", "-l", min=2, help="Leaves of the tree (its finest topics).")] = 10,
    split_rule: Annotated[
        str, typer.Option("--split-rule", help="Leaf split next: size (the largest), gain or mndcg.")
    ] = "size",
    term_weights: Annotated[
        str, typer.Option("--term-weights", help="Split with the node's own IDF (node) or the corpus's (corpus).")
    ] = "node",
    partition: Annotated[
        str, typer.Option("--partition", help="Split a node's documents by spherical 2-means (kmeans) or rank-2 NMF.")
    ] = "kmeans",
    min_docs: Annotated[int, typer.Option("--min-docs", min=1, help="Smallest child a split may leave.")] = 5,
    n_init: Annotated[
        int, typer.Option("--n-init", min=1, help="2-means starts per split (kmeans); the best split is kept.")
    ] = 16,
    out_dir: Out = None,
    seed: Seed = 0,
    top_words: TopWords = 10,
    text_column: TextColumn = "text",
    force: Force = False,
):
    """A tree of topics by rank-2 splits: the tree table, each document's leaf, a plot and the report."""
    with user_errors(), Progress() as progress:
        import topicnmf
        from topicnmf import reporting
        from topicnmf._validation import check_one_of
        from topicnmf.hierarchy import PARTITIONS, SPLIT_RULES, TERM_WEIGHTS

        target = out_dir if out_dir is not None else opt.default_out(corpus, "hierarchy")
        reporting.check_output_dir(target, force=force, protect=[corpus])
        check_one_of(split_rule, "split_rule", "HierarchicalTopicModel", SPLIT_RULES)
        check_one_of(term_weights, "term_weights", "HierarchicalTopicModel", TERM_WEIGHTS)
        check_one_of(partition, "partition", "HierarchicalTopicModel", PARTITIONS)
        docs = topicnmf.read_corpus(corpus, text_column=text_column, callback=progress.reading_callback())
        say(reading_line(docs))
        tree = topicnmf.HierarchicalTopicModel(leaves, split_rule=split_rule, term_weights=term_weights,
                                               partition=partition, min_docs=min_docs, n_init=n_init,
                                               random_state=seed)
        tree.fit(docs, callback=progress.stage_callback())
        reporting.write_outputs(tree, target, top_n=top_words, force=force, corpus=docs,
                                callback=progress.stage_callback())
    out(_tree_table(tree.tree(top_words), f"A tree of {len(tree.leaves_)} leaves over {len(docs):,} documents"))
    say(f"Wrote {target}")


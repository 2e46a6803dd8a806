"""Text preprocessing: cleaning, tokenizer, phrases and stems, TF-IDF and token streams.

The stage between raw texts and the document-term matrix::

    texts --cleaning--> bodies --Tokenizer--> tokens --phrases, stems--> terms --TF-IDF--> X (n_docs, n_terms)

One module per idea:

- :mod:`~topicnmf.preprocessing.cleaning`: HTML markup (:func:`strip_markup`), mail
  and news structure (headers, attributions, quoted replies, signatures);
  :func:`clean_text` and :func:`snippet` for showing documents to people.
- :mod:`~topicnmf.preprocessing.tokenizer`: :class:`Tokenizer` and the shipped
  English stop words.
- :mod:`~topicnmf.preprocessing.stream`: every text tokenized once and encoded
  to integer codes (in parallel where it pays); :class:`TokenStream`.
- :mod:`~topicnmf.preprocessing.terms`: bigram phrases (nltk's collocation
  scores) and Snowball stems over the codes.
- :mod:`~topicnmf.preprocessing.vectorizer`: :class:`TextVectorizer`.
- :mod:`~topicnmf.preprocessing.state`: its persisted JSON state.

Nothing here downloads data: the English stop-word list ships with the package,
and nltk is imported only when stems or phrases are asked for.
"""

from topicnmf.preprocessing.cleaning import clean_text, snippet, strip_markup
from topicnmf.preprocessing.stream import TokenStream
from topicnmf.preprocessing.tokenizer import Tokenizer, english_stop_words
from topicnmf.preprocessing.vectorizer import TextVectorizer

__all__ = ["TextVectorizer", "TokenStream", "Tokenizer", "clean_text", "english_stop_words", "snippet", "strip_markup"]

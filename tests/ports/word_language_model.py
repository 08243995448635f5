"""The shape of pytorch/examples ``word_language_model`` (its data.py, model.py, main.py
and generate.py in one module): an RNN (``nn.LSTM``, ``nn.GRU`` or ``nn.RNN`` with
dropout between layers, on an ``nn.Embedding``, optionally tying the decoder's weight to
the encoder's) or a subclass of ``nn.Transformer`` using only its encoder, with a
sinusoidal positional encoding kept by ``register_buffer`` and a causal mask (the current
``torch.log(torch.tril(...))`` or, with ``--legacy-mask``, the 2020 ``triu`` +
``masked_fill`` spelling), trained by truncated back-propagation through time:
``narrow``/``view``/``t().contiguous()`` batches, hidden states detached between chunks,
``NLLLoss`` of ``log_softmax``, ``clip_grad_norm_``, a hand-written SGD step
``p.data.add_(p.grad, alpha=-lr)`` and the learning rate annealed when the validation loss
stops falling. The best model is saved whole (``torch.save(model, f)``) and read back
with ``torch.load(f, weights_only=False)`` for the test perplexity (after
``flatten_parameters()``), its ``state_dict`` goes through a fresh model, and words are
sampled from it with ``torch.multinomial`` as generate.py does. Ported by changing the
imports; Wikitext-2 is replaced by a corpus drawn with a fixed seed from a small grammar
(about 50 words), and the saved files live in a temporary folder.

``main`` returns the test perplexity (lower is better; a model that learned nothing has
about the vocabulary's size, 51)."""

import argparse
import math
import os
import random
import shutil
import tempfile
import time

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F

# ---------------------------------------------------------------------------------------
# data.py: a Dictionary and a Corpus. The real Corpus reads train.txt, valid.txt and
# test.txt; here the three "files" are lists of lines drawn from a grammar.

DETS_SG = ["the", "a", "every", "this"]
DETS_PL = ["the", "some", "many", "these"]
ADJS = ["big", "small", "red", "blue", "old", "young", "happy", "sad"]
NOUNS = [
    ("cat", "cats"),
    ("dog", "dogs"),
    ("bird", "birds"),
    ("man", "men"),
    ("woman", "women"),
    ("child", "children"),
    ("teacher", "teachers"),
    ("farmer", "farmers"),
]
VERBS = [
    ("sees", "see"),
    ("likes", "like"),
    ("chases", "chase"),
    ("finds", "find"),
    ("helps", "help"),
]
PREPS = ["near", "with", "behind"]
ADVS = ["quickly", "slowly", "often"]
CONJS = ["and", "but"]


def noun_phrase(rng, depth=0):
    plural = rng.random() < 0.4
    words = [rng.choice(DETS_PL if plural else DETS_SG)]
    while rng.random() < 0.35:
        words.append(rng.choice(ADJS))
    words.append(rng.choice(NOUNS)[1 if plural else 0])
    if depth < 1 and rng.random() < 0.2:
        words += [rng.choice(PREPS)] + noun_phrase(rng, depth + 1)[0]
    return words, plural


def sentence(rng, depth=0):
    subject, plural = noun_phrase(rng)
    words = subject + [rng.choice(VERBS)[1 if plural else 0]] + noun_phrase(rng)[0]
    if rng.random() < 0.3:
        words.append(rng.choice(ADVS))
    if depth < 1 and rng.random() < 0.25:
        words += [rng.choice(CONJS), *sentence(rng, depth + 1)]
    return words


def synthetic_text(n_lines, seed):
    rng = random.Random(seed)
    return [" ".join(sentence(rng)) + " ." for _ in range(n_lines)]


class Dictionary:
    def __init__(self):
        self.word2idx = {}
        self.idx2word = []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


class Corpus:
    def __init__(self, n_sentences, seed=0):
        self.dictionary = Dictionary()
        self.train = self.tokenize(synthetic_text(n_sentences, seed))
        self.valid = self.tokenize(synthetic_text(max(n_sentences // 10, 20), seed + 1))
        self.test = self.tokenize(synthetic_text(max(n_sentences // 10, 20), seed + 2))

    def tokenize(self, lines):
        """Tokenizes a text 'file' (a list of lines)."""
        # Add words to the dictionary
        for line in lines:
            words = [*line.split(), "<eos>"]
            for word in words:
                self.dictionary.add_word(word)

        # Tokenize file content
        idss = []
        for line in lines:
            words = [*line.split(), "<eos>"]
            ids = []
            for word in words:
                ids.append(self.dictionary.word2idx[word])
            idss.append(torch.tensor(ids).type(torch.int64))
        ids = torch.cat(idss)
        return ids


# ---------------------------------------------------------------------------------------
# model.py


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()  # noqa: UP008 (the example's spelling)
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ["LSTM", "GRU"]:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            try:
                nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
            except KeyError as e:
                raise ValueError(
                    "An invalid option for `--model` was supplied, "
                    "options are ['LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU']"
                ) from e
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)

        # "Using the Output Embedding to Improve Language Models" (Press & Wolf 2016)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight

        self.init_weights()

        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == "LSTM":
            return (
                weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid),
            )
        else:
            return weight.new_zeros(self.nlayers, bsz, self.nhid)


class PositionalEncoding(nn.Module):
    """Sine and cosine of the position at geometrically spaced frequencies, added to the
    embeddings."""

    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super(PositionalEncoding, self).__init__()  # noqa: UP008 (the example's spelling)
        self.dropout = nn.Dropout(p=dropout)

        pe = torch.zeros(max_len, d_model)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term)
        pe = pe.unsqueeze(0).transpose(0, 1)
        self.register_buffer("pe", pe)

    def forward(self, x):
        x = x + self.pe[: x.size(0), :]
        return self.dropout(x)


class TransformerModel(nn.Transformer):
    """Container module with an encoder, a recurrent or transformer module, and a decoder."""

    def __init__(self, ntoken, ninp, nhead, nhid, nlayers, dropout=0.5, legacy_mask=False):
        super(TransformerModel, self).__init__(  # noqa: UP008 (the example's spelling)
            d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers
        )
        self.model_type = "Transformer"
        self.src_mask = None
        self.legacy_mask = legacy_mask
        self.pos_encoder = PositionalEncoding(ninp, dropout)

        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

        self.init_weights()

    def _generate_square_subsequent_mask(self, sz):
        if self.legacy_mask:  # the 2020 spelling of the example
            mask = (torch.triu(torch.ones(sz, sz)) == 1).transpose(0, 1)
            mask = mask.float().masked_fill(mask == 0, float("-inf")).masked_fill(mask == 1, 0.0)
            return mask
        return torch.log(torch.tril(torch.ones(sz, sz)))

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.input_emb.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, src, has_mask=True):
        if has_mask:
            device = src.device
            if self.src_mask is None or self.src_mask.size(0) != len(src):
                mask = self._generate_square_subsequent_mask(len(src)).to(device)
                self.src_mask = mask
        else:
            self.src_mask = None

        src = self.input_emb(src) * math.sqrt(self.ninp)
        src = self.pos_encoder(src)
        output = self.encoder(src, mask=self.src_mask)
        output = self.decoder(output)
        return F.log_softmax(output, dim=-1)


# ---------------------------------------------------------------------------------------
# main.py


def parse_args(argv):
    parser = argparse.ArgumentParser(description="PyTorch RNN/Transformer Language Model")
    parser.add_argument(
        "--sentences",
        type=int,
        default=20000,
        help="training sentences of the synthetic corpus (valid/test: a tenth)",
    )
    parser.add_argument(
        "--model",
        type=str,
        default="LSTM",
        help="type of network (RNN_TANH, RNN_RELU, LSTM, GRU, Transformer)",
    )
    parser.add_argument("--emsize", type=int, default=200, help="size of word embeddings")
    parser.add_argument("--nhid", type=int, default=200, help="number of hidden units per layer")
    parser.add_argument("--nlayers", type=int, default=2, help="number of layers")
    parser.add_argument("--lr", type=float, default=20, help="initial learning rate")
    parser.add_argument("--clip", type=float, default=0.25, help="gradient clipping")
    parser.add_argument("--epochs", type=int, default=40, help="upper epoch limit")
    parser.add_argument("--batch_size", type=int, default=20, metavar="N", help="batch size")
    parser.add_argument("--bptt", type=int, default=35, help="sequence length")
    parser.add_argument(
        "--dropout", type=float, default=0.2, help="dropout applied to layers (0 = no dropout)"
    )
    parser.add_argument(
        "--tied", action="store_true", help="tie the word embedding and softmax weights"
    )
    parser.add_argument("--seed", type=int, default=1111, help="random seed")
    parser.add_argument("--accel", action="store_true", help="Enables accelerated training")
    parser.add_argument(
        "--log-interval", type=int, default=200, metavar="N", help="report interval"
    )
    parser.add_argument("--save", type=str, default=None, help="path to save the final model")
    parser.add_argument(
        "--nhead",
        type=int,
        default=2,
        help="the number of heads in the encoder/decoder of the transformer model",
    )
    parser.add_argument(
        "--legacy-mask",
        action="store_true",
        help="the 2020 triu/masked_fill spelling of the causal mask",
    )
    parser.add_argument("--dry-run", action="store_true", help="verify the code and the model")
    # generate.py's options
    parser.add_argument("--words", type=int, default=100, help="number of words to generate")
    parser.add_argument(
        "--temperature",
        type=float,
        default=1.0,
        help="temperature - higher will increase diversity",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)

    # Set the random seed manually for reproducibility.
    torch.manual_seed(args.seed)

    if args.accel and torch.accelerator.is_available():
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device("cpu")
    print("Using device:", device)

    ###############################################################################
    # Load data
    ###############################################################################

    corpus = Corpus(args.sentences)

    # Starting from sequential data, batchify arranges the dataset into columns.
    def batchify(data, bsz):
        # Work out how cleanly we can divide the dataset into bsz parts.
        nbatch = data.size(0) // bsz
        # Trim off any extra elements that wouldn't cleanly fit (remainders).
        data = data.narrow(0, 0, nbatch * bsz)
        # Evenly divide the data across the bsz batches.
        data = data.view(bsz, -1).t().contiguous()
        return data.to(device)

    eval_batch_size = 10
    train_data = batchify(corpus.train, args.batch_size)
    val_data = batchify(corpus.valid, eval_batch_size)
    test_data = batchify(corpus.test, eval_batch_size)
    print(
        f"vocabulary {len(corpus.dictionary)} words, train {tuple(train_data.shape)}, "
        f"valid {tuple(val_data.shape)}, test {tuple(test_data.shape)}"
    )

    ###############################################################################
    # Build the model
    ###############################################################################

    ntokens = len(corpus.dictionary)
    if args.model == "Transformer":
        model = TransformerModel(
            ntokens,
            args.emsize,
            args.nhead,
            args.nhid,
            args.nlayers,
            args.dropout,
            legacy_mask=args.legacy_mask,
        ).to(device)
    else:
        model = RNNModel(
            args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied
        ).to(device)

    criterion = nn.NLLLoss()

    ###############################################################################
    # Training code
    ###############################################################################

    def repackage_hidden(h):
        """Wraps hidden states in new Tensors, to detach them from their history."""
        if isinstance(h, torch.Tensor):
            return h.detach()
        else:
            return tuple(repackage_hidden(v) for v in h)

    # get_batch subdivides the source data into chunks of length args.bptt.
    def get_batch(source, i):
        seq_len = min(args.bptt, len(source) - 1 - i)
        data = source[i : i + seq_len]
        target = source[i + 1 : i + 1 + seq_len].view(-1)
        return data, target

    def evaluate(data_source):
        # Turn on evaluation mode which disables dropout.
        model.eval()
        total_loss = 0.0
        ntokens = len(corpus.dictionary)
        if args.model != "Transformer":
            hidden = model.init_hidden(eval_batch_size)
        with torch.no_grad():
            for i in range(0, data_source.size(0) - 1, args.bptt):
                data, targets = get_batch(data_source, i)
                if args.model == "Transformer":
                    output = model(data)
                    output = output.view(-1, ntokens)
                else:
                    output, hidden = model(data, hidden)
                    hidden = repackage_hidden(hidden)
                total_loss += len(data) * criterion(output, targets).item()
        return total_loss / (len(data_source) - 1)

    def train():
        # Turn on training mode which enables dropout.
        model.train()
        total_loss = 0.0
        start_time = time.time()
        ntokens = len(corpus.dictionary)
        if args.model != "Transformer":
            hidden = model.init_hidden(args.batch_size)
        for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
            data, targets = get_batch(train_data, i)
            # Starting each batch, we detach the hidden state from how it was previously produced.
            # If we didn't, the model would try backpropagating all the way to start of the dataset.
            model.zero_grad()
            if args.model == "Transformer":
                output = model(data)
                output = output.view(-1, ntokens)
            else:
                hidden = repackage_hidden(hidden)
                output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()

            # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)

            total_loss += loss.item()

            if batch % args.log_interval == 0 and batch > 0:
                cur_loss = total_loss / args.log_interval
                elapsed = time.time() - start_time
                print(
                    f"| epoch {epoch:3d} | {batch:5d}/{len(train_data) // args.bptt:5d} batches "
                    f"| lr {lr:02.2f} | ms/batch {elapsed * 1000 / args.log_interval:5.2f} "
                    f"| loss {cur_loss:5.2f} | ppl {math.exp(cur_loss):8.2f}"
                )
                total_loss = 0
                start_time = time.time()
            if args.dry_run:
                break

    # Loop over epochs.
    lr = args.lr
    best_val_loss = None
    folder = tempfile.mkdtemp()  # the port's: files only in a temporary folder, removed at the end
    save = args.save or os.path.join(folder, "model.pt")

    # At any point you can hit Ctrl + C to break out of training early.
    try:
        for epoch in range(1, args.epochs + 1):
            epoch_start_time = time.time()
            train()
            val_loss = evaluate(val_data)
            print("-" * 89)
            print(
                f"| end of epoch {epoch:3d} | time: {time.time() - epoch_start_time:5.2f}s "
                f"| valid loss {val_loss:5.2f} | valid ppl {math.exp(val_loss):8.2f}"
            )
            print("-" * 89)
            # Save the model if the validation loss is the best we've seen so far.
            if not best_val_loss or val_loss < best_val_loss:
                with open(save, "wb") as f:
                    torch.save(model, f)
                best_val_loss = val_loss
            else:
                # Anneal the learning rate if no improvement has been seen in the validation
                # dataset.
                lr /= 4.0
    except KeyboardInterrupt:
        print("-" * 89)
        print("Exiting from training early")

    # Load the best saved model.
    with open(save, "rb") as f:
        model = torch.load(f, weights_only=False)
        # after load the rnn params are not a continuous chunk of memory
        # this makes them a continuous chunk, and will speed up forward pass
        # Currently, only rnn model supports flatten_parameters function.
        if args.model in ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"]:
            model.rnn.flatten_parameters()

    # Run on test data.
    test_loss = evaluate(test_data)
    print("=" * 89)
    print(f"| End of training | test loss {test_loss:5.2f} | test ppl {math.exp(test_loss):8.2f}")
    print("=" * 89)

    # The state_dict round trip: a fresh model of the same shape loads the best weights.
    state_path = os.path.join(folder, "model.state")
    torch.save(model.state_dict(), state_path)
    if args.model == "Transformer":
        fresh = TransformerModel(
            ntokens,
            args.emsize,
            args.nhead,
            args.nhid,
            args.nlayers,
            args.dropout,
            legacy_mask=args.legacy_mask,
        ).to(device)
    else:
        fresh = RNNModel(
            args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout, args.tied
        ).to(device)
    fresh.load_state_dict(torch.load(state_path))
    model = fresh
    again = evaluate(test_data)
    print(f"test loss after a state_dict round trip: {again:.4f}")
    assert abs(again - test_loss) < 1e-4, (again, test_loss)

    generate(save, corpus, device, args)
    shutil.rmtree(folder)
    return math.exp(test_loss)


# ---------------------------------------------------------------------------------------
# generate.py


def generate(checkpoint, corpus, device, args):
    torch.manual_seed(args.seed)
    with open(checkpoint, "rb") as f:
        model = torch.load(f, map_location=device, weights_only=False)
    model.eval()

    ntokens = len(corpus.dictionary)

    is_transformer_model = hasattr(model, "model_type") and model.model_type == "Transformer"
    if not is_transformer_model:
        hidden = model.init_hidden(1)
    input = torch.randint(ntokens, (1, 1), dtype=torch.long).to(device)

    out = []
    with torch.no_grad():  # no tracking history
        for i in range(args.words):
            if is_transformer_model:
                output = model(input, False)
                word_weights = output[-1].squeeze().div(args.temperature).exp().cpu()
                word_idx = torch.multinomial(word_weights, 1)[0]
                word_tensor = torch.Tensor([[word_idx]]).long().to(device)
                input = torch.cat([input, word_tensor], 0)
            else:
                output, hidden = model(input, hidden)
                word_weights = output.squeeze().div(args.temperature).exp().cpu()
                word_idx = torch.multinomial(word_weights, 1)[0]
                input.fill_(word_idx)

            word = corpus.dictionary.idx2word[word_idx]
            out.append(word + ("\n" if i % 20 == 19 else " "))
            if i % 50 == 0:
                print(f"| Generated {i}/{args.words} words")
    text = "".join(out)
    print(text)
    return text


if __name__ == "__main__":
    print(main())

"""Tiny checkpoints in exactly the real repository layouts, with random weights.

Sizes are shrunk (hidden 32, 2 layers, 16 conv channels); file names, tensor names, vocabulary
nesting and configs are those of facebook/mms-1b-all, facebook/mms-lid-* and facebook/mms-tts-*, of
voidful/wav2vec2-xlsr-multilingual-56 (one flat vocabulary, language masks pickled in ``lang_ids.pk``) and
of an Omnilingual ASR CTC model converted to the Wav2Vec2ForCTC layout (fairseq's vocabulary order with
the blank at 0 and ``<pad>`` at 1, a plain positional convolution weight, input normalization left off in
its preprocessor config).
"""

from __future__ import annotations

import string
from pathlib import Path

import torch

from mms_desktop.core.checkpoints import layout

ASR_LANGUAGES = {
    "eng": string.ascii_lowercase + "'",
    "fra": string.ascii_lowercase + "éèàçêâîôûù'",
    # A script-suffixed name with a much larger vocabulary, as for Chinese.
    "cmn-script_simplified": "".join(chr(0x4E00 + i) for i in range(300)),
}
LID_LABELS = ["eng", "fra", "cmn", "deu"]


def _wav2vec2_config(**extra):
    from transformers import Wav2Vec2Config

    extra = {"adapter_attn_dim": 8, "pad_token_id": 0, **extra}
    return Wav2Vec2Config(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(16,) * 7,
        conv_kernel=(10, 3, 3, 3, 3, 2, 2),
        conv_stride=(5, 2, 2, 2, 2, 2, 2),
        conv_bias=True,
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
        do_stable_layer_norm=True,
        feat_extract_norm="layer",
        bos_token_id=1,
        eos_token_id=2,
        **extra,
    )


def build_asr_repo(folder: Path, languages: dict[str, str] = ASR_LANGUAGES, seed: int = 0) -> Path:
    """An ASR repo like mms-1b-all: base weights, one adapter file per language, nested vocab."""
    from transformers import Wav2Vec2ForCTC

    torch.manual_seed(seed)
    vocabs = {name: layout.ctc_vocabulary(chars) for name, chars in languages.items()}
    first = next(iter(languages))
    model = Wav2Vec2ForCTC(_wav2vec2_config(vocab_size=len(vocabs[first])))
    model.config.architectures = ["Wav2Vec2ForCTC"]
    layout.write_asr_base(folder, model, vocabs, default_language=first)
    for name, vocab in vocabs.items():
        model.lm_head = torch.nn.Linear(model.config.hidden_size, len(vocab))
        for module in model.modules():
            if type(module).__name__ == "Wav2Vec2AttnAdapterLayer":
                module.linear_1.reset_parameters()
                module.linear_2.reset_parameters()
        layout.write_adapter(folder, name, model, vocab)
    return folder


def build_lid_repo(folder: Path, labels: list[str] = LID_LABELS, seed: int = 0) -> Path:
    """A language identifier like mms-lid-126: ISO 639-3 labels, projector + classifier."""
    from transformers import Wav2Vec2ForSequenceClassification

    torch.manual_seed(seed)
    config = _wav2vec2_config(
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={code: i for i, code in enumerate(labels)},
        classifier_proj_size=16,
    )
    config.architectures = ["Wav2Vec2ForSequenceClassification"]
    layout.write_lid(folder, Wav2Vec2ForSequenceClassification(config))
    return folder


# The sizes of a VITS voice small enough to train and run in a test (the demonstration build's voice too)
TINY_VITS = dict(
    hidden_size=16,
    num_hidden_layers=1,
    num_attention_heads=2,
    ffn_dim=32,
    flow_size=16,
    upsample_initial_channel=16,
    upsample_rates=[8, 8, 2, 2],
    upsample_kernel_sizes=[16, 16, 4, 4],
    resblock_kernel_sizes=[3],
    resblock_dilation_sizes=[[1, 3]],
    prior_encoder_num_flows=1,
    prior_encoder_num_wavenet_layers=1,
    posterior_encoder_num_wavenet_layers=1,
    duration_predictor_num_flows=1,
    duration_predictor_filter_channels=16,
    depth_separable_num_layers=1,
)


def build_tts_repo(folder: Path, language: str, is_uroman: bool, seed: int = 0) -> Path:
    """A VITS voice like mms-tts-<code>: id 0 is an ordinary letter and doubles as the blank."""
    from transformers import VitsConfig, VitsModel

    torch.manual_seed(seed)
    chars = ["k", *[c for c in string.ascii_lowercase if c != "k"], " ", "'", "-"]
    vocab = {c: i for i, c in enumerate(chars)}
    config = VitsConfig(vocab_size=len(vocab), spectrogram_bins=33, sampling_rate=16000, **TINY_VITS)
    config.architectures = ["VitsModel"]
    layout.write_tts(folder, VitsModel(config), vocab, language, is_uroman)
    return folder


# Common Voice tags, as xlsr-56 keys its masks
SHARED_LANGUAGES = {"en": string.ascii_lowercase + "'", "fr": "abcdefghijklmnopqrstuvwxyzéèàç'", "sah": "абвгдһөү"}


def build_shared_vocabulary_repo(folder: Path, seed: int = 0) -> Path:
    """A multilingual model with one output head and per-language token masks, like xlsr-56."""
    import pickle

    chars = sorted({c for text in SHARED_LANGUAGES.values() for c in text})
    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, "<unk>": 3, "|": 4, **{c: 5 + i for i, c in enumerate(chars)}}
    layout.write_flat_repo(folder, _flat_model(vocab, "<pad>", seed), vocab)
    masks = {tag: {vocab[c] for c in text} | {vocab["|"]} for tag, text in SHARED_LANGUAGES.items()}
    (folder / "lang_ids.pk").write_bytes(pickle.dumps(masks, protocol=2))  # as it ships: sets in a dict
    return folder


def build_omnilingual_repo(folder: Path, seed: int = 0) -> Path:
    """An Omnilingual ASR CTC model converted to the Wav2Vec2ForCTC layout."""
    chars = sorted(set(string.ascii_lowercase + "'éèàçабвгд"))
    vocab = {**{t: i for i, t in enumerate(layout.FAIRSEQ_ORDER)}, "|": 4, **{c: 5 + i for i, c in enumerate(chars)}}
    model = _flat_model(vocab, "<pad>", seed)
    layout.write_flat_repo(folder, model, vocab, normalize=False, languages=["eng", "fra", "rus", "sah"],
                           plain_positions=True)  # fmt: skip
    return folder


def _flat_model(vocab: dict[str, int], pad: str, seed: int):
    from transformers import Wav2Vec2ForCTC

    torch.manual_seed(seed)
    config = _wav2vec2_config(vocab_size=len(vocab), adapter_attn_dim=None, pad_token_id=vocab[pad])
    config.architectures = ["Wav2Vec2ForCTC"]
    return Wav2Vec2ForCTC(config)


def build_all(root: Path) -> dict[str, Path]:
    """Every tiny repo under ``root/<owner>/<name>``, keyed by repo id."""
    repos = {
        "facebook/mms-1b-all": lambda p: build_asr_repo(p),
        "facebook/mms-lid-126": lambda p: build_lid_repo(p),
        "facebook/mms-tts-eng": lambda p: build_tts_repo(p, "eng", is_uroman=False),
        "facebook/mms-tts-rus": lambda p: build_tts_repo(p, "rus", is_uroman=True, seed=1),
        "voidful/wav2vec2-xlsr-multilingual-56": lambda p: build_shared_vocabulary_repo(p, seed=2),
        "facebook/omniASR-CTC-300M": lambda p: build_omnilingual_repo(p, seed=3),
    }
    return {repo: build(root / repo) for repo, build in repos.items()}


def hf_cache_copy(repo: Path, cache: Path, repo_id: str = "facebook/mms-1b-all") -> Path:
    """``repo`` laid out as huggingface_hub's cache keeps a download: blobs named by their hash (sha256 for
    weights, which the hub keeps in LFS; the git object id for the rest), snapshot links, refs/main."""
    import shutil

    from mms_desktop.core.base import git_blob_sha1, sha256_file

    folder = cache / f"models--{repo_id.replace('/', '--')}"
    snapshot = folder / "snapshots" / ("a" * 40)
    (folder / "blobs").mkdir(parents=True)
    snapshot.mkdir(parents=True)
    (folder / "refs").mkdir()
    (folder / "refs" / "main").write_text("a" * 40)
    for file in sorted(repo.iterdir()):
        if file.name.startswith("."):
            continue
        name = sha256_file(file) if file.suffix == ".safetensors" else git_blob_sha1(file)
        shutil.copyfile(file, folder / "blobs" / name)
        (snapshot / file.name).symlink_to(Path("../../blobs") / name)
    return folder

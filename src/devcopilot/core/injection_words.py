"""The word families the injection rules are built from: who is spoken to, what a review
produces, what is asked of it.

Each is a regular-expression fragment, not a phrase list: a family names a role in
a sentence (an addressee, a verdict, a verb of control), so the rules that combine
them catch phrasings nobody wrote down. Kept apart from the rules so the steering
model and the rules read the same families.
"""

from __future__ import annotations

W = r"[\w'\u2019-]++"
S = r"[^\w'\u2019-]++"
"""A word and what separates words: disjoint and possessive, so a run of dashes or quotes cannot be
split between them in exponentially many ways (it could, and a line of dashes took minutes)."""
GAP = rf"(?:{S}{W}){{0,5}}?{S}"
"""Up to five words between two parts of a rule."""

ADDRESSEE = (
    r"(?:\bAI\b|\bA\.I\.|\bLLMs?\b|\blanguage models?\b|\bmodels?\b|\bassistants?\b|\bagents?\b|\bbots?\b"
    r"|\bcopilots?\b|\bchat ?bots?\b|\breview(?:er|ers|ing tools?)\b|\bauto-?review\w*|\bscanners?\b"
    r"|\b(?:machine|automated|non-human)[- ](?:readers?|reviewers?|tools?|systems?)\b)"
)
INSTRUCTIONS = (
    r"(?:instructions?|rules?|guidelines?|directives?|policy|policies|constraints?|guidance"
    r"|(?:system|original|initial|review(?:er)?|your) (?:message|prompt)s?)"
)
VERDICTS = (
    r"(?:findings?|issues?|warnings?|errors?|vulnerabilit(?:y|ies)|problems?|alerts?|bugs?|flaws?|risks?"
    r"|smells?|concerns?|defects?|severit(?:y|ies)|secrets?)"
)
SUBJECTS = (
    r"(?:code|file|files|change|changes|commit|diff|patch|PR|pull request|merge request|MR|module|snippet)"
)
MILD = (
    r"(?:info(?:rmational)?|low(?:[- ]severity| priority)?|minor|trivial|safe|benign|harmless"
    r"|false[- ]positives?|not applicable|n/?a|resolved|ok(?:ay)?|clean|approved|passing|ignorable"
    r"|cosmetic|none|compliant|accepted)"
)
DROP = (
    r"(?:ignore|disregard|forget|override|overrule|bypass|discard|abandon|drop|skip|set aside|throw out"
    r"|cancel|void)"
)
SILENCE = (
    r"(?:do not|don't|never|must not|should not|shouldn't|no need to|not necessary to|refrain from|avoid)"
    r"\s+(?:report|flag|mention|raise|comment on|point out|list|output|surface|warn about|analy[sz]e|review"
    r"|scan)"
)
ANSWER = r"(?:respond|reply|answer|output|return|say|print|write|emit|state|conclude)"
VERDICT_WORD = r"(?:LGTM|approved?|pass(?:ed)?|no (?:issues|findings|problems)|looks good|ship it)"
"""A verdict given as a word: what a demanded answer names (never plain ``ok``, which protocols use)."""
FIXED = (
    r"(?:LGTM|approved?|pass(?:ed)?|ok(?:ay)?|no (?:issues|findings|problems)|looks good|ship it|\+1|yes"
    r"|none)"
)
"""Answers that stand for a verdict without a review."""
JSON_VERDICT = (
    r"[\"'](?:status|result|verdict|outcome|review|decision|conclusion)[\"']\s*:\s*[\"'](?:pass(?:ed)?|approved?"
    r"|ok|success|clean|lgtm|green|safe)[\"']"
    r"|[\"'](?:approved?|passed|pass|ok|lgtm|safe|clean|compliant)[\"']\s*:\s*true\b"
    r"|[\"'](?:findings|issues|warnings|vulnerabilities|errors|problems|alerts|comments)[\"']\s*:\s*\[\s*\]"
)
"""A verdict written as data: a favourable status, an approval flag, an empty list of findings."""

TASK = r"(?:review|audit|assessment|evaluation|analysis|scan|inspection|scrutiny|checks)"
"""What a reviewer does to the text: the object of an exemption or a narrowing."""
OUTPUT = (
    r"(?:output|answer|response|reply|verdict|summary|report|assessment|evaluation|analysis|feedback"
    r"|review|result|conclusion|comments?|remarks?|findings?)"
)
"""What a reviewer gives back: a sentence that dictates yours is written for a model."""
TASK_VERB = r"(?:review|audit|assess|evaluate)"
"""Verbs of a reviewer's job that code comments rarely use for what code does (unlike scan, check)."""
SENTENCE_START = r"(?:^|[.!?:;\"'=>#/*(\[-])[\W_]*+"
LENIENT = r"(?:generous|lenient|gentle|kind|forgiving|charitable|soft|easy|relaxed|tolerant|permissive|light)"
EXEMPT_FROM = (
    rf"(?:(?:\w+\s+){{0,3}}?(?:review\w*|audit\w*|scrutiny|inspection)\b"
    rf"|(?:{ADDRESSEE}|\b(?:automated|automatic|machine))\W+(?:\w+\W+){{0,2}}?(?:checks?|scans?|scanning|analysis)\b)"
)
"""What text claims to be exempt from: a review, or an AI's checks (never plain "coverage checks")."""
REVIEWED = (
    rf"(?:(?:your|my|the|these|this)\s+(?:\w+\s+)?(?:{TASK}|{OUTPUT}|{VERDICTS})"
    rf"|(?:this|these|my)\s+(?:\w+\s+)?{SUBJECTS})\b"
)
"""What leniency is asked for: the review, its findings, or this change (never "the socket")."""
DISCREDITED = (
    r"(?:a\s+)?(?:wrong|incorrect|invalid|mistaken|mistake|noise|false|bogus|spurious|unwarranted|unnecessary"
    r"|redundant|pointless)\b"
)
"""What text claims of findings before they are made: a reviewer is being told to make none."""
LOOK_AWAY = r"(?:overlook|gloss over|look past|wave through|let slide|turn a blind eye to|let go of)"

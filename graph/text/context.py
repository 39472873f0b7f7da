"""Context over one sentence's tokens, after ConText (Harkema et al., 2009), which extends NegEx
(Chapman et al., 2001): besides negation, whether the writer hedges ("maybe", "might be", "not
sure if"), speaks of the past ("used to") or of someone else ("my mother has ...").

Each cue has a category and a direction: forward cues reach the mentions after them, backward
cues the ones before. A scope ends at a termination term ("but", "however", ", my"), at a cue
of another category ("maybe MS, no swelling": the hedge stops at "no"), at the end of the
sentence, or after a few words; pseudo-triggers look like cues but are none ("not only", "gone
on for months"). A cue inside a matched phrase belongs to the phrase.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from graph.text.tokens import phrases

__all__ = [
    "BACKWARD_FAMILY",
    "BACKWARD_HEDGES",
    "BACKWARD_PAST",
    "CONTEXT_WINDOW",
    "FAMILY",
    "GENERIC",
    "HEDGES",
    "HYPOTHETICAL",
    "NEGATIVE_ANSWERS",
    "OTHERS",
    "PAST",
    "POSITIVE_ANSWERS",
    "POST_NEGATION",
    "PRE_NEGATION",
    "PSEUDO_TRIGGERS",
    "QUESTIONS_TO_YOU",
    "TERMINATORS",
    "UNSURE_ANSWERS",
    "WORRIES",
    "Context",
    "affirms",
    "answer",
    "contexts",
    "negated_within",
]

CONTEXT_WINDOW = 7  # a cue's scope, in words (a matched phrase counts as one word)

# NegEx's trigger lists, trimmed to how people describe their own symptoms.
PRE_NEGATION = (
    "no",
    "nope",
    "nah",
    "not",
    "without",
    "denies",
    "deny",
    "denied",
    "never",
    "nor",
    "none",
    "neither",
    "free of",
    "absence of",
    "no sign of",
    "no signs of",
    "negative for",
    "don't",
    "dont",
    "do not",
    "doesn't",
    "doesnt",
    "does not",
    "didn't",
    "didnt",
    "did not",
    "haven't",
    "havent",
    "have not",
    "hasn't",
    "hasnt",
    "has not",
    "isn't",
    "isnt",
    "is not",
    "aren't",
    "arent",
    "are not",
    "wasn't",
    "wasnt",
    "was not",
    "can't say",
    "cannot say",
    # A rating or amount of nothing: "zero swelling"; a form's "nil" ("Swollen: nil").
    "zero",
    "nil",
    # "Nothing's swollen, nothing's red": nothing is said to be so.
    "nothing's",
    "nothings",
    "nothing is",
    "nothing was",
    # A denial put mildly: "I wouldn't say it's painful", "I wouldn't call it swollen".
    "wouldn't say",
    "wouldnt say",
    "would not say",
    "wouldn't call it",
    "wouldnt call it",
    "would not call it",
)
POST_NEGATION = (
    "absent",
    "ruled out",
    "not present",
    "gone",
    "went away",
    "negative",
    # A pain score of nothing: "Pain 0/10" (the slash is no token).
    "0 10",
    "0 out of 10",
    "zero out of 10",
    "0 out of ten",
    "zero out of ten",
    "stopped",
    "stopped for good",
    "gone for good",
    "went away for good",
    # Over a comma, which would end the scope of a shorter cue: "some swelling, it's gone now".
    ", it's gone",
    ", it has gone",
    ", it went away",
    ", it's stopped",
    ", it has stopped",
)
# ConText's uncertainty (hedge) cues, forward; the writer does not say it is so.
HEDGES = (
    "maybe",
    "perhaps",
    "possible",
    "possibly",
    "probable",
    "probably",
    "might",
    # "just" would end the scope: "might just be dehydration".
    "might just be",
    "may just be",
    "could just be",
    "may be",
    "may have",
    "could be",
    "could have",
    "could it be",
    "could this be",
    "could i have",
    "do i have",
    "is it",
    "is this",
    "not sure",
    "not sure if",
    "not sure whether",
    "unsure",
    "unsure if",
    "unsure whether",
    "not certain",
    "uncertain",
    "unclear if",
    "unclear whether",
    "can't tell if",
    "cant tell if",
    "wonder if",
    "wondering if",
    "wondering whether",
    "suspect",
    "suspected",
    "suspicion of",
    "suspicious for",
    "questionable",
    "rule out",
    # A worry names what might be, not what is ("worried about the swelling" is left alone).
    "worried it's",
    "worried it is",
    "worried it might",
    "worried i have",
    "worried i might",
    "afraid it's",
    "afraid it is",
    "afraid i have",
    "scared it's",
    "scared i have",
    "concerned it's",
    "terrified it's",
    "terrified i have",
    "frightened it's",
    "petrified it's",
    "convinced it's",
    "convinced i have",
    # A search that names a disease names a worry, not a finding: "Dr Google says ALS".
    "dr google",
    "doctor google",
    "google says",
    "google said",
    "googled",
    "according to google",
    "the internet says",
    "read online",
)
# A worry or fear about something, forward: of a cause it says the writer fears it, not that
# they have it ("worried about ALS", "scared of MS": uncertain); of a symptom, that they have
# it and it troubles them ("worried about the twitching": present). graph/text/parse.py
# reads the mark by the mention's kind.
WORRIES = (
    "worried about",
    "worrying about",
    "worry about",
    "worried by",
    "scared of",
    "scared about",
    "terrified of",
    "afraid of",
    "frightened of",
    "anxious about",
    "paranoid about",
    "concerned about",
    "freaking out about",
    "fear of",
    "obsessing over",
    "obsessing about",
)
# Hedges that reach back: "swelling, not sure".
BACKWARD_HEDGES = (
    "not sure",
    "unsure",
    "is possible",
    "is suspected",
    "was suspected",
    # Named as one thing it might be: "the neurologist mentioned MS as a possibility".
    "as a possibility",
    "is a possibility",
    "was a possibility",
)
# A time the writer says something ended, said last in its clause: "was on indapamide till
# last year" (after a denial it says when the thing began: "no pain until last year").
_ENDED = (
    *(
        f"{until} {when}"
        for until in ("until", "till")
        for when in ("last year", "last month", "recently", "a few months ago", "a year ago")
    ),
)
# Past cues that also reach back, since the time may be said after the mention: "I had
# cramps like this as a teenager".
BACKWARD_PAST = (
    "as a child",
    "as a kid",
    "as a teenager",
    "when i was younger",
    "when i was a child",
    "when i was a kid",
)
# Past cues that only end a clause, and reach back: "I was deficient before", "had cramps in
# the past". Mid-clause they say when ("before bed"); after a denial they are part of it
# ("never had cramps before": absent).
CLAUSE_END_PAST = ("before", "previously", "in the past", *_ENDED)
# ConText's historical cues, narrowed to what says the past is over: "used to". "History of"
# is left out, since in a clinical note a history of seizures is the patient's phenotype.
PAST = ("used to", *BACKWARD_PAST, "back when", "formerly", "came off", "stopped taking")
# ConText's experiencer cues, forward: a relative, whose history is not the patient's. A child
# or a partner is left out: a carer may be describing the patient ("my son's knee twitches").
_RELATIVES = (
    "mother",
    "mom",
    "mum",
    "father",
    "dad",
    "parents",
    "parent",
    "brother",
    "brothers",
    "sister",
    "sisters",
    "sibling",
    "siblings",
    "grandmother",
    "grandfather",
    "grandma",
    "grandpa",
    "grandad",
    "granddad",
    "grandmum",
    "grandmom",
    "gran",
    "granny",
    "nan",
    "nana",
    "nanna",
    "grandparent",
    "grandparents",
    "aunt",
    "auntie",
    "aunty",
    "uncle",
    "uncles",
    "aunts",
    "cousin",
    "cousins",
    "relative",
    "relatives",
)
# A bilingual writer names a relative in their other language: "Meine Mutter hat MS".
_RELATIVES_ELSEWHERE = (
    *(
        f"{owner} {who}"
        for owner in ("mein", "meine")
        for who in ("mutter", "vater", "mama", "papa", "bruder", "schwester", "oma", "opa")
    ),
    *(
        f"{owner} {who}"
        for owner in ("mi", "mis")
        for who in (
            "madre",
            "padre",
            "mamá",
            "papá",
            "hermano",
            "hermana",
            "abuela",
            "abuelo",
            "padres",
        )
    ),
    *(
        f"{owner} {who}"
        for owner in ("ma", "mon")
        for who in ("mère", "père", "frère", "sœur", "soeur")
    ),
)
FAMILY = (
    *(f"{owner} {who}" for owner in ("my", "his", "her", "their", "our") for who in _RELATIVES),
    *_RELATIVES_ELSEWHERE,
    *(f"{who}'s" for who in _RELATIVES),
    "family history of",
    "family history",
    "in my family",
    "in the family",
)
# The animals a writer names as someone other than themselves, or as what they did an activity
# with ("walked the dog for hours").
_ANIMALS = ("cat", "dog", "puppy", "kitten", "horse", "pony")
# Someone other than the writer, unnamed: "none of the numbness people describe with MS"; or
# named by what they are to the writer or the world, never someone a carer writes for (a
# child, a partner, a parent): "a colleague on my shift has MS", "a footballer has ALS".
_OTHER_PEOPLE = (
    "colleague",
    "colleagues",
    "coworker",
    "co-worker",
    "workmate",
    "friend",
    "friends",
    "neighbour",
    "neighbor",
    "neighbours",
    "flatmate",
    "housemate",
    "roommate",
    "classmate",
    "teammate",
    "teammates",
    "teacher",
    "boss",
    # Not a player or an athlete: a coach writes for them ("Athlete says his quads ...").
    "captain",
    "footballer",
    "celebrity",
    "actor",
    "actress",
    "singer",
    # An animal's medicine or limp is not the writer's: "our cat is on steroids".
    *_ANIMALS,
    "cat's",
    "dog's",
)
# Texting's "u" and "ur" address the reader, a friend: "ur on pred innit" is the friend's
# medicine. A form or a doctor asking the patient writes "you" ("are you on anything?").
_TEXTED_YOU = ("u", "ur", "r u", "u r")
# No one at all: someone else's, and denied ("no one in my family has MS").
_NOBODY = ("nobody", "no one", "noone")
OTHERS = (
    # Nobody at all, the writer among them: "good session, nobody hurt" (denied too, below).
    *_NOBODY,
    "people",
    "other people",
    "someone",
    "somebody",
    "others",
    *_OTHER_PEOPLE,
    *_TEXTED_YOU,
)
# Experiencer cues that reach back: "MS runs in my family", "MS in the family".
BACKWARD_FAMILY = (
    "in my family",
    "in the family",
    "runs in my family",
    "runs in the family",
    "run in my family",
    "run in the family",
    # "MS runs on my dad's side of the family".
    "side of the family",
    "side of my family",
)
# Words that ask how much a symptom matters ("is it bad that ..."): a question about something
# the writer has, no hedge.
_JUDGEMENTS = (
    "bad",
    "serious",
    "worrying",
    "concerning",
    "dangerous",
    "weird",
    "odd",
    "strange",
    "ok",
    "okay",
)
# ConText's hypothetical cues, narrowed to advice and a leaflet's conditions: what to do if a
# finding comes is no finding ("call back if the knee becomes hot", "contact your doctor if you
# experience difficulty swallowing"). A bare "if" is left out: "what if it's MS" hedges.
HYPOTHETICAL = (
    "if you experience",
    "if you notice",
    "if you develop",
    "if it becomes",
    "if it gets",
    "call back if",
    "come back if",
    "ring back if",
    "return if",
    "seek help if",
    "seek medical advice if",
    "seek medical attention if",
    "see a doctor if",
    "see your doctor if",
    "see your gp if",
    "contact your doctor if",
    "contact your gp if",
    "contact a doctor if",
    "call your doctor if",
    "tell your doctor if",
)
# A statement of where a finding comes from, which names the finding as a kind: "twitching like
# this can come from dehydration, tired muscles or low magnesium" (an assistant's reply pasted
# with the chat). It reaches back too, where nothing before it is the writer's.
_CAUSED_BY = (
    "can come from",
    "may come from",
    "can be caused by",
    "may be caused by",
    "is often caused by",
    "is usually caused by",
    "are often caused by",
    "are usually caused by",
    "is commonly caused by",
)
# A statement of what can cause what, as a leaflet or a pharmacist says it, names no finding
# of the writer's: "torasemide can cause cramps", "causes of muscle cramps include
# dehydration". Forward only: the cause named before it keeps its own reading.
GENERIC = (
    "causes of",
    "can cause",
    "may cause",
    "can trigger",
    "can lead to",
    "side effects include",
    "side effects of",
    *_CAUSED_BY,
)
# A question put to the writer by someone else (a pasted chat's assistant, a form, a
# pharmacist) names what it asks about, which the writer has not said: "Are you taking any
# medications?". Like advice, it is no finding; the writer's answer settles it
# (graph/text/coreference.py reads a bare "no" or "yes"). Its scope ends at the writer's own
# words: "do you have any idea why my knee twitches" asks nothing of the twitching.
QUESTIONS_TO_YOU = tuple(
    f"{asked} you {verb}"
    for asked, verbs in (
        ("are", ("taking", "on", "using", "having", "getting", "drinking", "eating")),
        ("do", ("take", "use", "have", "get", "drink", "eat", "notice", "feel")),
        ("have", ("had", "noticed", "got", "been", "taken", "ever had", "felt")),
        ("did", ("have", "notice", "take", "feel")),
    )
    for verb in verbs
)
# Look like cues, are none.
PSEUDO_TRIGGERS = (
    # With the inversion that follows it, which is no question: "not only is it swollen".
    "not only is it",
    "not only is",
    "not only are",
    "not only does it",
    "not only",
    "not just",
    "no doubt",
    # Unsurprising, not denied: "no wonder my knee is swollen, I knelt on tiles all day".
    "no wonder",
    "small wonder",
    "not necessarily",
    # Always, not a denial: "without fail, cramp every night after netball".
    "without fail",
    "without a doubt",
    "without doubt",
    "without question",
    "without exception",
    # A change denied, not the thing: "no new meds, same ones for years".
    "no new",
    "nothing new",
    "no change",
    "no increase",
    "no idea",
    "not getting better",
    # A symptom no better is still there: "pain's no better", "cramps not any better".
    "no better",
    "not better",
    "not any better",
    "no easier",
    "no improvement",
    "no worse",
    "not going away",
    "won't go away",
    "doesn't go away",
    "didn't go away",
    "hasn't gone away",
    "hasnt gone away",
    "has not gone away",
    "haven't gone away",
    "never went away",
    "not gone away",
    "not improving",
    # Gone as "become": "it's gone a bit red", "gone all stiff" (a finding right after
    # "gone" is read in contexts(): "my leg's gone numb").
    "gone a",
    "gone all",
    "gone quite",
    "gone really",
    "gone very",
    "gone so",
    "gone right",
    # A pause in order to do something: "barely stopped to drink" ends nothing.
    "stopped to",
    "stop to",
    "stopping to",
    # A stop denied is the symptom going on: "the twitching hasn't stopped in weeks".
    "hasn't stopped",
    "hasnt stopped",
    "has not stopped",
    "haven't stopped",
    "havent stopped",
    "have not stopped",
    "never stopped",
    # "The twitching hasn't gone, it's just less noticeable".
    "hasn't gone",
    "hasnt gone",
    "has not gone",
    "haven't gone",
    "havent gone",
    "have not gone",
    "not gone",
    "never gone",
    "not stopped",
    "won't stop",
    "wont stop",
    "doesn't stop",
    "doesnt stop",
    "didn't stop",
    "didnt stop",
    # Persistence, not absence: "it has gone on for months".
    "gone on",
    "going on",
    "goes on",
    "went on",
    ", it's gone on",
    ", it has gone on",
    # A pause with a length is not an end: "stopped for a couple of days but it's back".
    "stopped for",
    "went away for",
    "gone for",
    # Coming and going is recurrence, not absence.
    "come and gone",
    "comes and goes",
    "come and go",
    "came and went",
    "not sure what",
    "not sure why",
    "not sure how",
    "not sure when",
    # A question about a symptom the writer has: "why is it swollen?", "is it normal for the
    # knee to jerk?".
    "why is it",
    "why is this",
    "is it normal",
    "is this normal",
    "is that normal",
    "is it common",
    # Asking how much a symptom one has matters: "is it bad that I've had the jumping knee
    # thing for a month?".
    *(f"{q} {how}" for q in ("is it", "is this", "is that") for how in _JUDGEMENTS),
    # A double negation that says always: "not a day goes by without my knee twitching",
    # "I can't remember the last time I didn't have cramps".
    "not a day goes by without",
    "not a day passes without",
    "never a day without",
    "hardly a day goes by without",
    "barely a day goes by without",
    "can't remember the last time i didn't",
    "cant remember the last time i didnt",
    "cannot remember the last time i didn't",
    "can't remember a day without",
    "can't remember the last day without",
    # What is "nothing" of a remedy is no denial of the symptom: "nothing's helping the cramps".
    "nothing's helping",
    "nothing is helping",
    "nothing's working",
    "nothing is working",
    "nothing's changed",
)
# A scope ends here (NegEx's conjunctions and termination terms).
TERMINATORS = (
    "but",
    # A yes after a no starts another answer: "no to swelling, yes to stiffness".
    "yes",
    "yeah",
    "yep",
    "however",
    "although",
    "though",
    "yet",
    "except",
    "apart from",
    "aside from",
    "still",
    "which",
    "because",
    "just",
    "only",
    "now",
    "and it",
    "and my",
    "and i",
    "and i'm",
    "and the",
    "it's just",
    ", my",
    ", it",
    ", it's",
    ", i",
    ", i'm",
    ", and",
    # A correction offers what it is instead: "it's not numbness, more of a dull ache".
    ", more",
    "more of",
    "more like",
    "rather",
)
# A sentence that is only an answer settles the question just before it: "Swollen? Not
# really." says the swelling is absent, "Spasms? Maybe." that they are uncertain.
NEGATIVE_ANSWERS = (
    "no",
    "nope",
    "nah",
    "none",
    "never",
    "not really",
    "not at all",
    "no not really",
    "not that i know of",
    "not that i've noticed",
    # "Are you on anything? - No, nothing at all."
    "nothing",
    "nothing at all",
    "none at all",
    # To a question naming two or more: "Any trouble swallowing or with speech? Neither."
    "neither",
    "neither of them",
    "neither one",
    "none of them",
    "none of those",
)
# What a negative answer may end with, which only says how the writer knows: "none I can
# tell", "nope, not that I've seen".
_KNOWLEDGE_TAILS = frozenset(
    phrases(
        f"{that}{said}"
        for that in ("", "that ")
        for said in (
            "i can tell",
            "i can see",
            "i know of",
            "i have noticed",
            "i've noticed",
            "i noticed",
            "i have seen",
            "i've seen",
            "i can feel",
        )
    )
)
_KNOWLEDGE_TAIL_SIZES = sorted({len(k) for k in _KNOWLEDGE_TAILS}, reverse=True)
UNSURE_ANSWERS = (
    "maybe",
    "perhaps",
    "possibly",
    "not sure",
    "unsure",
    "dunno",
    "don't know",
    "i don't know",
    "hard to say",
    "maybe a little",
    "maybe a bit",
)
# A yes settles a question that was read as uncertain ("Is it swollen? Yes.").
POSITIVE_ANSWERS = (
    "yes",
    "yeah",
    "yep",
    "yup",
    "it is",
    "it does",
    "they are",
    "they do",
    "definitely",
)
# Words that only stress a cue, said between its words: "never really went away", "hasn't
# fully gone away", "not entirely sure". Each cue of two or more words is also read with one
# of them after its first word.
STRESS = ("really", "fully", "completely", "totally", "entirely", "quite", "actually", "ever")
# Words that only stress an answer: "None whatsoever.", "Nope, thankfully."
_ANSWER_STRESS = frozenset({"whatsoever", "thankfully", "luckily", "honestly", "tbh", "lol"})
# A denial that goes on to an exception is not total: "no meds apart from the pill", "no
# pain except when I kneel". Where the exception names another finding ("no pain apart from
# the twitching"), the denial stands.
EXCEPTIONS = ("except", "except for", "apart from", "aside from", "other than", "besides")
# A clause-final negative answer reaches back to the mention just before it, and no further
# forward: "pain nope, swelling nah". A negated auxiliary left at the end of a sentence is
# an ellipsis of the verb before it, no terse denial: "the swelling's gone but the
# twitching hasn't".
_TERSE_REACH = 2  # tokens between the mention and a clause-final answer ("pain - nope")
# A relative named without "my" at the start of a sentence: "Mum takes furosemide".
_BARE_RELATIVES = frozenset(
    {"mum", "mom", "dad", "mother", "father", "nan", "gran", "grandad", "grandma", "grandpa"}
)
_NOT_A_RELATIVE_AFTER = frozenset({"of", "here", "to", ","})  # "Mum of two here, ..."
# Speech reported last, of the person the message is about ("just a bit swollen she said x"),
# and a text's sign-off kisses after it.
_REPORTED = frozenset({("she", "said"), ("he", "said"), ("she", "says"), ("he", "says")})
_SIGN_OFFS = frozenset({"x", "xx", "xxx"})
_THEIRS = frozenset({"her", "his", "hers", "their", "she's", "he's", "she", "he"})
_YOURS = frozenset({"you", "your", "you're", "ur", "u"})
# ... or as the subject of a question, right after its auxiliary: "did mum say if her knee was
# red?", "has dad had the swelling looked at?" (the writer's own "my" ends the scope as ever).
_QUESTION_AUXILIARIES = frozenset({"did", "does", "do", "has", "have", "is", "was", "can", "could"})
# Words a question to someone about a relative may open with: "what did mum say", "sis did
# mum ...".
_QUESTION_OPENERS = frozenset({"what", "why", "how", "when", "where", "sis", "hey", "so"})
# The writer speaking of themselves again ends a scope about someone else: "my mother says my
# knee twitches".
_FIRST_PERSON = frozenset({"my", "i", "i'm", "i've", "me", "mine"})
# The writer as the subject of a clause, which ends a statement's or a condition's scope:
# "torasemide can cause cramps, and I get them" (the writer's own "my knee" does not).
_WRITER_SUBJECT = frozenset({"i", "i'm", "i've", "im", "ive", "i'd", "i'll"})
# ... unless a preposition ties the words to the other person: "a colleague on my shift".
_TIED = frozenset({"on", "at", "in", "from", "of", "with", "for"})
# A person named after these is the writer: "I'm a teacher", "as a footballer".
_SELF_DESCRIBED = frozenset({("i'm", "a"), ("im", "a"), ("am", "a"), ("as", "a"), ("i'm", "an")})
_OTHER_PERSON = frozenset(_OTHER_PEOPLE)
# An animal right after the activity that names it, as its object, is what the writer did
# it with, not whose the finding is: "walked the dog for hours" is the writer's walking.
_ANIMAL_WORDS = frozenset(_ANIMALS)
_OBJECT_DETERMINERS = frozenset({"the", "my", "our", "a"})
# A denial followed in its clause by when it ended is no denial: "no pain until I ran".
_UNTIL = frozenset({"until", "till", "til", "untill"})
# ... unless that time is still to come, said in the present: "not training till the physio
# has a look", "resting until I'm seen".
_STILL_TO_COME = frozenset(
    {"has", "have", "is", "are", "gets", "get", "will", "can", "i'm", "i've", "it's", "they've"}
)
# A terminator right after it offers another option in the same scope ("or just").
_ALTERNATIVE = frozenset({"or"})
# A form's "N" for no, last in its sentence right after the finding: "Swelling: N."; a list's
# cross mark likewise ("swelling ❌", graph/text/tokens.py).
_FORM_NO = frozenset({"n", "\u274c", "\u2716", "\u2717", "\u2718"})
# A score of nothing ("0/10") followed by a number is a scale's label: "Pain (0-10): 4".
_SCORE_FIRSTS = frozenset({"0", "zero"})
# Words that join two findings in a list ("numbness / pins and needles / weakness: denies").
_LIST_JOINS = frozenset({"and", "or", "nor"})
# Words that point at a list to come, not counted in a scope before its first mention: "no
# to all of them: swelling, redness, numbness".
_POINTERS = frozenset({"all", "any", "of", "them", "these", "those", "the", "following", "above"})
# The relative taken up by a pronoun renews a scope about them: "Dad's on Lasix and his
# ankles are still puffy".
_THIRD_PERSON = frozenset({"he", "she", "his", "her", "he's", "she's", "hes", "shes"})
# Terminators that say when, not who: they end no scope about someone else
# (ConText's terminations are its categories' own).
_SAME_PERSON = frozenset({"still", "yet"})
# Words that open a clause saying when: past a denied mention, they end the denial's scope.
_CIRCUMSTANCES = frozenset({"after", "since", "when", "while", "during", "before"})
# A verb's denial that a later "without" in its clause turns into always, a double negation:
# "I can't run for long without cramping", "never go a night without my knee twitching".
_DOUBLE_NEGATORS = frozenset(
    {"can't", "cant", "cannot", "couldn't", "couldnt", "never", "don't", "dont", "won't"}
    | {"wont", "not", "rarely", "seldom", "hardly"}
)


# Symptom words with another sense, read by where they stand (one word of a mention alone):
# an adjective before a noun that is no part of the body ("a stiff drink", "a cramped flat",
# "a tight schedule", "a red car"), a movement of something else ("a twitch of the
# curtain", "a quiver of arrows"), and the archer's quiver ("from my quiver").
_ADJECTIVE_SENSES = frozenset(
    {"stiff", "cramped", "tight", "swollen", "red", "sore", "numb", "weak", "twitchy", "hot"}
)
_MOVEMENT_SENSES = frozenset(
    {"twitch", "twitches", "quiver", "flutter", "flicker", "jolt", "jolts", "shiver", "ripple"}
)
_SENSE_WORDS = _ADJECTIVE_SENSES | _MOVEMENT_SENSES
# A pronoun after the adjective starts a clause, so the adjective modifies nothing after it:
# "me legs is that weak I can't get up" ("that" as "so", not an article).
_CLAUSE_STARTS = frozenset({"i", "he", "she", "we", "they", "you"})
_ARTICLES = frozenset({"a", "an", "the", "this", "that", "some", "such", "our", "their"})
# Endings of adjectives that may stand between such a word and its noun.
_ADJECTIVE_ENDINGS = ("al", "ar", "ful", "ous", "ic", "ive", "less", "ish", "ed", "ing", "ary")
_POSSESSIVES = frozenset({"my", "his", "her", "their", "your", "our"})
# What such a word may describe and still be the symptom: the body, a feeling of it, a mark
# on it ("a stiff knee", "a red rash", "a numb feeling", "a twitchy leg").
_OF_THE_BODY = frozenset(
    {
        *("knee", "knees", "kneecap", "kneecaps", "patella", "leg", "legs", "thigh", "thighs"),
        *("calf", "calves", "quad", "quads", "quadriceps", "hamstring", "hamstrings", "shin"),
        *("shins", "muscle", "muscles", "tendon", "tendons", "joint", "joints", "ankle"),
        *("ankles", "foot", "feet", "toe", "toes", "hip", "hips", "back", "neck", "shoulder"),
        *("shoulders", "arm", "arms", "hand", "hands", "finger", "fingers", "body", "skin"),
        *("jaw", "face", "lip", "lips", "eyelid", "eye", "throat", "tongue", "stomach"),
        *("tummy", "chest", "vastus", "glands", "gland", "lymph", "left", "right", "upper"),
        *("lower", "inner", "outer", "front", "side", "area", "spot", "patch", "rash", "lump"),
        *("bump", "mark", "marks", "blotch", "streak", "line", "ring", "feeling", "feelings"),
        *("sensation", "sensations", "one", "ones", "bit", "bits", "kind", "sort", "limb"),
        *("limbs", "morning", "mornings", "start", "day", "days", "night", "nights", "week"),
        *("evening", "evenings", "afternoon", "afternoons"),
        *("it", "itb", "band", "ligament", "ligaments", "achilles", "glute", "glutes", "groin"),
        *("heel", "heels", "wrist", "elbow", "elbows", "quadricep", "hammy", "hammies", "grip"),
        *("tingling", "tingle", "ache", "aches", "twinge", "cramp", "cramps", "spasm", "knot"),
        *("gait", "walk", "stride", "step", "steps", "movement", "movements", "posture"),
        *("swelling", "bruise", "bruising", "lumps", "bumps", "patches", "spots", "joint's"),
    }
)


def _other_sense(words: Sequence[str], i: int) -> bool:
    """Whether the one-word mention at token `i` is a symptom word in another sense."""
    word = words[i]
    after = words[i + 1] if i + 1 < len(words) else ""
    before = words[i - 1] if i > 0 else ""
    if word in _ADJECTIVE_SENSES:
        if before not in _ARTICLES:
            return False
        # The noun the adjective describes, past the other adjectives before it: "a red
        # swollen knee", "the sore medial side".
        head = i + 1
        while (
            head < min(len(words), i + 4)
            and words[head] not in _OF_THE_BODY
            and (
                words[head] in _SENSE_WORDS
                or (len(words[head]) >= 6 and words[head].endswith(_ADJECTIVE_ENDINGS))
            )
        ):
            head += 1
        noun = words[head] if head < len(words) else ""
        return (
            noun.isalpha()
            and noun not in _OF_THE_BODY
            and noun not in _LIST_JOINS
            and noun not in _CLAUSE_STARTS
            and not noun.endswith("ly")
        )
    if word not in _MOVEMENT_SENSES or before in _OF_THE_BODY:
        # After a part of the body the word is its verb: "the knees twitch of an evening".
        return False
    if word == "quiver" and before in _POSSESSIVES and after not in _OF_THE_BODY:
        return not after or not after.isalpha() or after in {"and", "was", "is", "had"}
    if after != "of":
        return False
    for later in words[i + 2 : i + 6]:  # "of the neighbour's curtain", "of my left quad"
        if later in _ARTICLES or later in _POSSESSIVES or later.endswith("'s"):
            continue
        return later.isalpha() and later not in _OF_THE_BODY
    return False


@dataclass(frozen=True, slots=True)
class Context:
    """What the sentence says about one mention."""

    negated: bool = False
    uncertain: bool = False  # hedged, or only in the past
    other: bool = False  # about someone other than the writer or the patient
    # A condition advised on, a question put to the writer or a word in another sense: not
    # a finding, not reported.
    hypothetical: bool = False
    worried: bool = False  # feared: a cause is then uncertain, a symptom still present


_PLAIN = Context()
_CAUSED_BY_KEYS = frozenset(phrases(_CAUSED_BY))
_QUESTION_KEYS = frozenset(phrases(QUESTIONS_TO_YOU))
_NOBODY_KEYS = frozenset(phrases(_NOBODY))


class _Category(Enum):
    NEGATED = "negated"
    UNCERTAIN = "uncertain"
    OTHER = "other"
    HYPOTHETICAL = "hypothetical"
    WORRIED = "worried"
    PSEUDO = "pseudo"
    TERMINATE = "terminate"


@dataclass(frozen=True, slots=True)
class _Cue:
    category: _Category
    forward: bool
    backward: bool = False
    nearest_only: bool = False  # NegEx's post-negation: the closest mention only


def _cues() -> dict[tuple[str, ...], _Cue]:
    groups: list[tuple[Iterable[str], _Category, bool]] = [
        (TERMINATORS, _Category.TERMINATE, True),
        (PRE_NEGATION, _Category.NEGATED, True),
        (POST_NEGATION, _Category.NEGATED, False),
        (HEDGES, _Category.UNCERTAIN, True),
        (BACKWARD_HEDGES, _Category.UNCERTAIN, False),
        (PAST, _Category.UNCERTAIN, True),
        (BACKWARD_PAST, _Category.UNCERTAIN, False),
        (FAMILY, _Category.OTHER, True),
        (OTHERS, _Category.OTHER, True),
        (BACKWARD_FAMILY, _Category.OTHER, False),
        (HYPOTHETICAL, _Category.HYPOTHETICAL, True),
        (GENERIC, _Category.HYPOTHETICAL, True),
        (QUESTIONS_TO_YOU, _Category.HYPOTHETICAL, True),
        (WORRIES, _Category.WORRIED, True),
        (PSEUDO_TRIGGERS, _Category.PSEUDO, True),
    ]
    cues: dict[tuple[str, ...], _Cue] = {}
    for items, category, forward in groups:
        for key in phrases(items):
            held = cues.get(key)
            if held is not None and held.category is category:
                # In a forward and a backward list: the scope goes both ways ("not sure if
                # it's swollen", "swollen, not sure").
                cues[key] = _Cue(category, held.forward or forward, held.backward or not forward)
            else:  # later groups win a phrase that two categories share
                nearest = category is _Category.NEGATED and not forward
                cues[key] = _Cue(category, forward, not forward, nearest_only=nearest)
    for key, cue in list(cues.items()):
        if len(key) >= 2 and cue.category is not _Category.TERMINATE:
            for word in STRESS:  # a cue's own phrase wins: set only where none is
                cues.setdefault((key[0], word, *key[1:]), cue)
    return cues


_CUES = _cues()
# What a cue says of a mention.
_ABOUT = (
    _Category.NEGATED,
    _Category.UNCERTAIN,
    _Category.OTHER,
    _Category.HYPOTHETICAL,
    _Category.WORRIED,
)
# Each first word of a cue -> the lengths of the cues it starts, longest first: most words
# start none, and a long idiom ("not a day goes by without") costs no look-up of the lengths
# between.
_CUE_SIZES: dict[str, tuple[int, ...]] = {}
for _key in _CUES:
    _CUE_SIZES[_key[0]] = tuple(sorted({*_CUE_SIZES.get(_key[0], ()), len(_key)}, reverse=True))
_TERSE = frozenset(phrases(NEGATIVE_ANSWERS))
_CLAUSE_END_PAST = frozenset(phrases(CLAUSE_END_PAST))
_CLAUSE_END_PAST_SIZES = sorted({len(k) for k in _CLAUSE_END_PAST}, reverse=True)
_CLAUSE_END_PAST_LASTS = frozenset(k[-1] for k in _CLAUSE_END_PAST)  # rarer than "in"
_EXCEPTIONS = frozenset(phrases(EXCEPTIONS))
_EXCEPTION_FIRSTS = frozenset(k[0] for k in _EXCEPTIONS)
_FAMILY_CUE = _Cue(_Category.OTHER, forward=True)


def _bare_relatives(words: Sequence[str], taken: Sequence[bool]) -> list[int]:
    """The tokens that name a relative without "my" as a subject: first in the sentence ("Mum
    takes ..."), or right after a question's auxiliary ("did mum say ...")."""
    return [
        k
        for k in range(min(len(words) - 1, 3))
        if words[k] in _BARE_RELATIVES
        and words[k + 1] not in _NOT_A_RELATIVE_AFTER
        and not taken[k]
        and (k == 0 or _asks_of_a_relative(words, k))
    ]


def _asks_of_a_relative(words: Sequence[str], k: int) -> bool:
    """Whether the sentence opens by asking of the relative at token `k` ("did mum say ...",
    "what did dad say ..."), with nothing in it that is the writer's ("can dad feel the
    warmth in my knee?" asks of the writer's knee)."""
    opens = (k == 1 and words[0] in _QUESTION_AUXILIARIES) or (
        k == 2 and words[0] in _QUESTION_OPENERS and words[1] in _QUESTION_AUXILIARIES
    )
    return opens and not any(w in _FIRST_PERSON or w in _WRITER_SUBJECT for w in words)


def _reported_of_another(words: Sequence[str]) -> bool:
    """Whether the sentence is speech reported of someone else, said last: "her knee's not
    red, just a bit swollen she said x". Only where nothing in it is the writer's ("my knee is
    red, she said" is the writer's knee, whoever spoke), nor the reader's ("your knee is
    swollen, she said"), and where it names whose it is."""
    while words and words[-1] in _SIGN_OFFS:
        words = words[:-1]
    return (
        len(words) > 2
        and tuple(words[-2:]) in _REPORTED
        and not any(w in _FIRST_PERSON or w in _WRITER_SUBJECT or w in _YOURS for w in words)
        # Said of someone the sentence names: alone, "just a bit swollen she said" most often
        # reports a physio or a doctor on the writer's knee.
        and any(w in _THEIRS or w in _BARE_RELATIVES for w in words[:-2])
    )


def _object_animal(words: Sequence[str], taken: Sequence[bool], k: int) -> bool:
    """Whether token `k` is an animal named as the object of the pair's head just before it:
    "walked the dog for hours"."""
    return (
        words[k] in _ANIMAL_WORDS
        and k >= 2
        and words[k - 1] in _OBJECT_DETERMINERS
        and taken[k - 2]
    )


def _ellipsis(key: tuple[str, ...]) -> bool:
    """Whether a negation cue is a negated auxiliary ("hasn't", "is not"), which at a
    sentence's end stands for a verb said before it."""
    return key[-1].endswith(("n't", "nt")) or (len(key) == 2 and key[1] == "not")


_ANSWERS = {
    **dict.fromkeys(phrases(NEGATIVE_ANSWERS), Context(negated=True)),
    **dict.fromkeys(phrases(UNSURE_ANSWERS), Context(uncertain=True)),
    **dict.fromkeys(phrases(POSITIVE_ANSWERS), Context()),
}


# What a form or a transcript writes before an answer ("A: no"), and the speaker's name in a
# pasted chat ("User: nope"); the colon is no token.
_ANSWER_LABELS = frozenset(
    {"a", "answer", "ans", "user", "patient", "pt", "client", "human", "me", "you"}
)
# How a reply that names no finding of its own opens when it says yes to a question put to
# the writer: "- a tiny bit in the evenings", "just my brown inhaler". "Just" and "only" open
# such a reply before what is taken ("just my inhaler"), not before a verb ("just wondering");
# "sometimes" only in a reply of a few words, as it opens other sentences too.
_AFFIRMING_OPENINGS = frozenset(
    phrases((*POSITIVE_ANSWERS, "a bit", "a little", "a tiny bit", "a touch", "slightly"))
)
_AFFIRMING_SIZES = sorted({len(k) for k in _AFFIRMING_OPENINGS}, reverse=True)
_ONLY = frozenset({"just", "only"})
_TAKEN_AFTER_ONLY = frozenset(
    {"my", "the", "a", "an", "one", "two", "some", "that", "this"}
    # ... or when: "only at night", "only after running", "only when I run".
    | {"at", "after", "when", "in", "on", "during", "before", "if", "sometimes", "occasionally"}
)
_NOW_AND_THEN = frozenset({"sometimes", "occasionally", "some"})
_SHORT_REPLY = 3  # words


def affirms(words: Sequence[str]) -> bool:
    """Whether a reply says yes by how it opens, a label before it left out: "A: just the
    one", "a tiny bit in the evenings"."""
    opens = [words]
    if len(words) > 1 and words[0] in _ANSWER_LABELS:
        opens.append(words[1:])  # "A: just the one"; "a" may also open it ("a bit")
    for said in opens:
        if any(tuple(said[:size]) in _AFFIRMING_OPENINGS for size in _AFFIRMING_SIZES):
            return True
        if len(said) > 1 and said[0] in _ONLY and said[1] in _TAKEN_AFTER_ONLY:
            return True
        if said and said[0] in _NOW_AND_THEN and len(said) <= _SHORT_REPLY:
            return True
    return False


def answer(words: Sequence[str]) -> Context | None:
    """What a sentence of only an answer says of the question before it, else None. Its
    comma-separated parts may each be an answer if they agree: "No, not at all.". A form's
    label before it is no part of it: "Q: Any swelling? A: Nope."."""
    if len(words) > 1 and words[0] in _ANSWER_LABELS:
        words = words[1:]
    parts: list[list[str]] = [[]]
    for word in words:
        if word == ",":
            parts.append([])
        else:
            parts[-1].append(word)
    said = {_answer_part(part) for part in parts if part}
    if len(said) != 1:
        return None  # no answer, or parts that disagree ("yes, no")
    return said.pop()


def _answer_part(part: list[str]) -> Context | None:
    """What one comma-separated part of an answer says, stress words and a tail saying how
    the writer knows ("none I can tell") left out; None if it is no answer."""
    found = _ANSWERS.get(tuple(part))
    if found is None:
        found = _ANSWERS.get(tuple(w for w in part if w not in _ANSWER_STRESS))
    if found is None:
        for size in _KNOWLEDGE_TAIL_SIZES:
            if len(part) > size and tuple(part[-size:]) in _KNOWLEDGE_TAILS:
                return _answer_part(part[:-size])
    if found is None and len(part) > 1:
        # One-word answers run together that agree: "nope neither", "no none".
        said = {_ANSWERS.get((word,)) for word in part if word not in _ANSWER_STRESS}
        if len(said) == 1 and None not in said:
            return said.pop()
    return found


def _cue_at(words: Sequence[str], i: int) -> tuple[int, _Cue | None]:
    """The longest cue starting at token `i`, with its length, or (0, None)."""
    sizes = _CUE_SIZES.get(words[i])
    if sizes is None:
        return 0, None
    left = len(words) - i
    for size in sizes:
        if size <= left:
            cue = _CUES.get(tuple(words[i : i + size]))
            if cue is not None:
                return size, cue
    return 0, None


def contexts(
    words: Sequence[str], taken: Sequence[bool], found: Sequence[tuple[int, int, object]]
) -> list[Context]:
    """ConText over one sentence: for each of the `found` mentions (token spans in order), the
    cues whose scope reaches it. `taken` marks the tokens inside mentions."""
    n = len(words)
    starts = {i: idx for idx, (i, _, _) in enumerate(found)}
    ends = {j - 1: idx for idx, (_, j, _) in enumerate(found)}
    marks: list[set[_Category]] = [set() for _ in found]
    # Each token's cue, looked up once: scopes ask again for the tokens they cross.
    at: list[tuple[int, _Cue | None]] = [
        (0, None) if taken[i] else _cue_at(words, i) for i in range(n)
    ]
    for k in _bare_relatives(words, taken):
        if at[k][1] is None:
            at[k] = (1, _FAMILY_CUE)
    # A "without" after a verb's denial in its clause: neither denies what follows it.
    doubled = _double_withouts(words, taken, at)

    def exception(k: int) -> int:
        """The length of the exception ("apart from") starting at token `k`, else 0."""
        if words[k] not in _EXCEPTION_FIRSTS:
            return 0
        for size in (2, 1):
            if tuple(words[k : k + size]) in _EXCEPTIONS and not any(taken[k : k + size]):
                return size
        return 0

    def names_another(k: int) -> bool:
        """Whether the clause from token `k` names a finding ("apart from the twitching")."""
        for m in range(k, min(n, k + CONTEXT_WINDOW)):
            if words[m] == ",":
                return False
            if m in starts:
                return True
        return False

    def stops(k: int, category: _Category, passed: bool) -> bool:
        size, cue = at[k]
        if cue is None or any(taken[k : k + size]):
            return (
                category is _Category.OTHER
                and words[k] in _FIRST_PERSON
                and not (k > 0 and words[k - 1] in _TIED)
            )
        if cue.category is _Category.PSEUDO:
            return True
        if cue.category is _Category.TERMINATE:
            if category is _Category.OTHER and words[k] in _SAME_PERSON:
                return False  # "Dad's on Lasix and his ankles are still puffy"
            # An alternative stays in the scope: "not sure if it's a nerve or just tired legs".
            return not (k > 0 and words[k - 1] in _ALTERNATIVE)
        # Another category's cue ends the scope once it has passed a mention or a comma
        # ("maybe MS, no swelling"); right after the cue it joins it ("might not be swollen").
        return cue.category is not category and passed

    def lifted(k: int) -> bool:
        """Whether the clause from token `k` says when the denied thing began: "never had a
        cramp in my life until this week" (NegEx's scope would read it as absent)."""
        for m in range(k, min(n, k + 2 * CONTEXT_WINDOW)):
            if words[m] in _UNTIL and not taken[m]:
                ahead = words[m + 1 : m + 1 + CONTEXT_WINDOW]
                return _STILL_TO_COME.isdisjoint(
                    ahead[: ahead.index(",")] if "," in ahead else ahead
                )
            size = exception(m)
            if size:
                return not names_another(m + size)
            cue = at[m][1]
            if words[m] == "," and m + 1 < n and exception(m + 1):
                continue  # "no pain, except when I kneel"
            if words[m] == "," or (cue is not None and cue.category is _Category.TERMINATE):
                return False
        return False

    def forward(i: int, size: int, category: _Category) -> bool:
        k, counted, reached, passed = i + size, 0, False, False
        # A question put to the writer ends at the writer's own words ("do you have any idea
        # why my knee twitches"); advice does not ("come back if my knee swells again").
        asked = tuple(words[i : i + size]) in _QUESTION_KEYS
        # "No one" denies up to the writer's own words: "no one believes my knee hurts".
        nobody = category is _Category.NEGATED and tuple(words[i : i + size]) in _NOBODY_KEYS
        if category is _Category.NEGATED and lifted(k):
            return True  # reached, and left as it is: no terse reading backwards either
        # "Without" before an action denies the action, whose clause ends where the writer
        # goes on: "without stretching first I get cramps".
        action = words[i] == "without" and k < n and not taken[k] and words[k].endswith("ing")
        # A statement or a condition reaches the end of its sentence: "causes of muscle
        # cramps include dehydration, low potassium and some medicines".
        hypothetical = category is _Category.HYPOTHETICAL
        window = n if hypothetical else CONTEXT_WINDOW
        while k < n and counted < window:
            if hypothetical and (
                words[k] in _WRITER_SUBJECT or (asked and words[k] in _FIRST_PERSON)
            ):
                break
            if not taken[k] and stops(k, category, passed):
                break
            if k in doubled:
                break
            if action and words[k] in _FIRST_PERSON:
                break
            if nobody and words[k] in _FIRST_PERSON and words[k - 1] not in _TIED:
                break
            if words[i] == "without" and words[k] in _WRITER_SUBJECT:
                break  # a condition, then the writer's clause: "without the brace I wobble"
            if (
                category is _Category.OTHER
                and words[k] in _FIRST_PERSON
                and words[k - 1] not in _TIED
            ):
                break  # the writer's own, though a mention ("his B12 is low, mine was fine")
            if reached and category is _Category.NEGATED and words[k - 1] in _CIRCUMSTANCES:
                break  # "I haven't run since the spasms started": the spasms are not denied
            if reached and category is _Category.NEGATED and words[k] == "my":
                break  # "no trouble swallowing my tablets": the tablets are not denied
            if k in starts:
                idx = starts[k]
                marks[idx].add(category)
                reached = passed = True
                k = found[idx][1]
                counted += 1
                continue
            if category is _Category.OTHER and words[k] in _THIRD_PERSON:
                counted = 0
            elif reached or words[k] not in _POINTERS:
                counted += 1
            passed = passed or words[k] == ","
            k += 1
        return reached

    def listed_before(start: int) -> int | None:
        """The last token of a mention listed right before the one starting at `start`, with
        nothing or a join between ("numbness / pins and needles / weakness"), else None."""
        if start - 1 in ends:
            return start - 1
        if start >= 2 and words[start - 1] in _LIST_JOINS and start - 2 in ends:
            return start - 2
        return None

    def backward(i: int, category: _Category, nearest_only: bool) -> None:
        k, counted = i - 1, 0
        while k >= 0 and counted < CONTEXT_WINDOW:
            if not taken[k]:
                cue = at[k][1]
                if cue is not None and cue.category is _Category.TERMINATE:
                    break
            if k in ends:
                marks[ends[k]].add(category)
                if nearest_only:
                    # The nearest mention, and those listed with it.
                    listed = listed_before(found[ends[k]][0])
                    while listed is not None:
                        marks[ends[listed]].add(category)
                        listed = listed_before(found[ends[listed]][0])
                    break
                k = found[ends[k]][0]
            k -= 1
            counted += 1

    def clause_end(k: int) -> bool:
        """Whether token `k` ends its clause: the sentence's end, a comma or a terminator."""
        if k >= n or words[k] == ",":
            return True
        cue = at[k][1]
        return cue is not None and cue.category is _Category.TERMINATE and not taken[k]

    if not _CLAUSE_END_PAST_LASTS.isdisjoint(words):
        # Where the first denial is: "never had cramps before" is the denial's.
        denial = next(
            (k for k, (_, cue) in enumerate(at) if cue and cue.category is _Category.NEGATED), n
        )
        for last, word in enumerate(words):
            if word not in _CLAUSE_END_PAST_LASTS or not clause_end(last + 1):
                continue
            for past in _CLAUSE_END_PAST_SIZES:
                i = last + 1 - past
                if (
                    denial > i >= 0
                    and tuple(words[i : last + 1]) in _CLAUSE_END_PAST
                    and not any(taken[i : last + 1])
                ):
                    backward(i, _Category.UNCERTAIN, nearest_only=False)
    i = 0
    caused_by = -1  # where the first statement of where a finding comes from starts
    while i < n:
        size, cue = at[i]
        if cue is None or any(taken[i : i + size]) or cue.category is _Category.TERMINATE:
            i += 1
            continue
        if cue.category is _Category.HYPOTHETICAL and tuple(words[i : i + size]) in _CAUSED_BY_KEYS:
            if any(w in _FIRST_PERSON or w in _WRITER_SUBJECT for w in words[:i]):
                # The writer's own explanation: "my cramps are usually caused by dehydration".
                i += size
                continue
            if caused_by < 0:
                caused_by = i
        if (
            i in doubled
            or cue.category is _Category.PSEUDO
            or (
                words[i] in _OTHER_PERSON
                and i >= 2
                and (words[i - 2], words[i - 1]) in _SELF_DESCRIBED
            )
        ):
            i += size
            continue
        key = tuple(words[i : i + size]) if cue.category is _Category.NEGATED else ()
        if key == ("gone",) and i + 1 < n and taken[i + 1]:
            i += size  # "my leg's gone numb": gone as "become", before what it became
            continue
        if key and key[0] in _SCORE_FIRSTS and i + size < n and words[i + size].isdigit():
            i += size  # a scale, "0-10", then the score
            continue
        if (
            cue.category is _Category.NEGATED
            and key in _TERSE
            and (i + size == n or words[i + size] == ",")
            and any(e in ends for e in range(max(0, i - 1 - _TERSE_REACH), i))
        ):
            # A clause-final answer after a mention: "pain nope, swelling nah".
            backward(i, cue.category, nearest_only=True)
            i += size
            continue
        reached = cue.forward and forward(i, size, cue.category)
        if cue.category is _Category.OTHER and tuple(words[i : i + size]) in _NOBODY_KEYS:
            forward(i, size, _Category.NEGATED)
        if cue.backward:
            backward(i, cue.category, cue.nearest_only)
        elif (
            not reached
            and cue.category is _Category.NEGATED
            and i + size == n
            and not _ellipsis(key)
        ):
            # Terse negation, the cue last in its sentence: "Swelling: no", "Weakness - no".
            backward(i, cue.category, nearest_only=True)
        i += size
    if n >= 2 and words[-1] in _FORM_NO and n - 2 in ends and not taken[-1]:
        marks[ends[n - 2]].add(_Category.NEGATED)  # "Swelling: N."
        # A form's line of answers: "Swelling Y / Redness N / Warmth N" (the slash is no
        # token). Only on such a line: elsewhere "n" is texting's "and".
        for k in range(1, n - 2):
            if words[k] in _FORM_NO and k - 1 in ends and not taken[k]:
                marks[ends[k - 1]].add(_Category.NEGATED)
    # "Nothing painful", "nothing swollen": nothing is said to be so. Not a cue of its own,
    # since "nothing has helped the stiffness" denies the remedy.
    if "nothing" in words:
        for k in range(n - 1):
            if words[k] == "nothing" and k + 1 in starts and not taken[k]:
                marks[starts[k + 1]].add(_Category.NEGATED)
    # A cue between the words of a pair's span is about the pair: "magnesium is not low",
    # "magnesium might be low" (a phrase's own words are all taken, so only a pair has one).
    for idx, (i, j, _) in enumerate(found):
        for k in range(i + 1, j - 1):
            size, cue = at[k]
            if (
                cue is not None
                and cue.category in _ABOUT
                and not any(taken[k : k + size])
                and not _object_animal(words, taken, k)
            ):
                marks[idx].add(cue.category)
    # A statement of where a kind of finding comes from reaches back to the sentence's start,
    # where nothing before it is the writer's: "twitching like this can come from ...".
    if caused_by >= 0 and not any(
        w in _FIRST_PERSON or w in _WRITER_SUBJECT or w == "," for w in words[:caused_by]
    ):
        for idx, (_, j, _) in enumerate(found):
            if j <= caused_by:
                marks[idx].add(_Category.HYPOTHETICAL)
    if _reported_of_another(words):
        for m in marks:
            m.add(_Category.OTHER)
    # A symptom word in another sense names no finding: "a stiff drink", "a quiver of arrows".
    for idx, (i, j, _) in enumerate(found):
        if j - i == 1 and words[i] in _SENSE_WORDS and _other_sense(words, i):
            marks[idx].add(_Category.HYPOTHETICAL)
    # Most mentions have no cue: they share one plain Context (an Enum's hash is slow).
    return [
        Context(
            negated=_Category.NEGATED in m,
            uncertain=_Category.UNCERTAIN in m,
            other=_Category.OTHER in m,
            # A relative's finding stays theirs, though asked about or advised on: an answer
            # to "any MS in the family?" says nothing of the writer's own.
            hypothetical=_Category.HYPOTHETICAL in m and _Category.OTHER not in m,
            worried=_Category.WORRIED in m,
        )
        if m
        else _PLAIN
        for m in marks
    ]


def _double_withouts(
    words: Sequence[str], taken: Sequence[bool], at: Sequence[tuple[int, _Cue | None]]
) -> frozenset[int]:
    """The tokens "without" that follow a verb's denial in the same clause: "I can't walk far
    without the calf cramping" says the cramps come whenever the person walks far."""
    if "without" not in words:
        return frozenset()
    doubled: set[int] = set()
    denial = False  # a verb's denial seen since the clause began
    for k, word in enumerate(words):
        cue = at[k][1]
        if word == "," or (cue is not None and cue.category is _Category.TERMINATE):
            denial = False
        elif word == "without" and not taken[k]:
            if denial:
                doubled.add(k)
        elif word in _DOUBLE_NEGATORS and not taken[k]:
            denial = True
    return frozenset(doubled)


def negated_within(words: Sequence[str], taken: Sequence[bool], i: int, j: int) -> bool:
    """Whether a negation cue stands between the first and last words of the span [i, j):
    what a pair's own clause says of it ("balance is not fine"), whatever came before."""
    for k in range(i + 1, j - 1):
        size, cue = _cue_at(words, k) if not taken[k] else (0, None)
        if cue is not None and cue.category is _Category.NEGATED and not any(taken[k : k + size]):
            return True
    return False

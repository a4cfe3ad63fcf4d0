"""Starting wording for each audience's form, in the portal's own words (drawn from
what the seed policies ask people to agree to). Schools edit them before approving."""

from .models import Audience

# Parents' and visitors' mobile phone rules, in the words of seed 003 §4.1: part of both
# the visitors' and the parents' forms.
PHONE_RULES_FOR_PARENTS_AND_VISITORS = [
    "I will use my mobile phone or camera only in the office reception area or off site.",
    "In very unusual circumstances, such as a family emergency, I will ask the supervising member of staff "
    "or a senior leader for permission before using my mobile phone on the school's premises.",
    "If I need to be contacted while I am in school, I will ask for the school's landline number to be used; "
    "a member of staff will then contact me.",
    "I will not take photos of children without first discussing it with the headteacher.",
    "I remain responsible for my own property, and for any loss of it.",
]

# Each starter is (title, introduction, sections); a section is (heading, statements).
# The headings follow the way schools write their agreements ("I will", "I will not",
# "I understand that": seed 002 appendices 2-5), so a school keeps that structure.
STARTER_FORMS = {
    Audience.STAFF: (
        "Staff, governor and volunteer ICT agreement",
        "Please read the school's acceptable use policy, then agree to each section below.",
        [
            (
                "When I use the school's ICT systems, email and internet, in school or on a school device at home, "
                "I will:",
                [
                    "Use them for school purposes, and keep personal use brief and out of lesson time.",
                    "Keep my passwords private, lock my screen when I leave it, and use only my own account.",
                    "Only take photos or videos of pupils on school equipment, and only of pupils whose parents "
                    "have given consent.",
                    "Report at once any e-safety incident, lost equipment or data sent in error to the e-safety "
                    "lead or headteacher.",
                    "Report any approach from a pupil through social media, phones or email.",
                ],
            ),
            (
                "I will not:",
                [
                    "Take pupils' personal data off site unencrypted, or send it by personal email.",
                    "Contact pupils through personal social media, phones or email.",
                    "Install unauthorised software, or connect unauthorised devices to the school's network.",
                ],
            ),
            (
                "I understand that:",
                [
                    "The school monitors the use of its systems, and misuse may lead to disciplinary action.",
                ],
            ),
        ],
    ),
    Audience.VISITORS: (
        "Visitors' mobile phone and ICT rules",
        "Welcome. While you are in school, please agree to the following.",
        [
            (
                "Mobile phones and cameras",
                [
                    *PHONE_RULES_FOR_PARENTS_AND_VISITORS,
                    "I will not use my phone or any device to take video or sound recordings of pupils.",
                ],
            ),
            (
                "The school's computers and network",
                ["I will only use the school's network or computers if a member of staff has given me access."],
            ),
        ],
    ),
    Audience.KS2: (
        "My ICT contract (key stage 2)",
        "I will use computers, tablets and the internet safely and kindly.",
        [
            (
                "When I use the school's computers, tablets and the internet, I will:",
                [
                    "Only use my own login and keep my password secret.",
                    "Only visit websites and apps my teacher allows.",
                    "Be polite and kind to others online.",
                    "Tell an adult straight away if I see something that worries or upsets me.",
                ],
            ),
            (
                "I will not:",
                [
                    "Share anything unkind about anyone.",
                    "Share my name, address, school or photos with people I meet online.",
                    "Use chat rooms or social media at school unless my teacher says I may.",
                ],
            ),
            (
                "I understand that:",
                [
                    "The school checks the websites I visit and how I use its computers, to keep me safe.",
                    "The school can take action if I break these rules online, even when I am not in school.",
                ],
            ),
        ],
    ),
    Audience.EYFS_KS1: (
        "Our rules for using computers and tablets",
        "Read aloud to the class at the start of the year.",
        [
            (
                "When we use computers and tablets at school, we:",
                [
                    "Ask an adult before we use a computer or tablet.",
                    "Only use the things our teacher has shown us.",
                    "Are kind when we use computers.",
                    "Tell an adult if we see something we don't like.",
                ],
            ),
        ],
    ),
    Audience.PARENTS: (
        "Parent and carer agreement for my child's use of ICT",
        "Please read the school's acceptable use policy with your child, then agree to each section below.",
        [
            (
                "My child's use of ICT",
                [
                    "I have read the acceptable use rules and talked about them with my child.",
                    "I understand the school filters and monitors internet use, but cannot guarantee that no "
                    "unsuitable material will ever be seen.",
                    "I will support the school in teaching my child to be safe online, and tell the school about "
                    "any concern.",
                ],
            ),
            (
                "Online and on social media",
                [
                    "I will be respectful towards staff, other parents and carers, and children, and raise any "
                    "concern through the school's own channels.",
                    "I will not post photos or videos of other children from school events on social media.",
                ],
            ),
            ("Mobile phones and cameras in school", list(PHONE_RULES_FOR_PARENTS_AND_VISITORS)),
        ],
    ),
    Audience.LOANS: (
        "Conditions for borrowing school ICT equipment",
        "The equipment stays the school's property. Please read these conditions before you sign for it.",
        [
            (
                "",
                [
                    "I will use the equipment for school work only, and I will not lend it to anyone else.",
                    "I will keep it in a secure cupboard at school overnight, or inside my home, never left in a car.",
                    "I will keep the case on the device at all times.",
                    "I will not install unauthorised software, and I will keep school data on it secure and password-protected.",
                    "I will report a loss, theft or damage to the school office at once.",
                    "I will return the equipment, with its accessories, when asked or when I leave the school.",
                ],
            ),
        ],
    ),
}


def starter_statements(audience) -> list[str]:
    """Every statement of an audience's starter form, in order."""
    return [statement for _, statements in STARTER_FORMS[audience][2] for statement in statements]

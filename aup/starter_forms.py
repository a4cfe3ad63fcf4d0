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

STARTER_FORMS = {
    Audience.STAFF: (
        "Staff, governor and volunteer ICT agreement",
        "Please read the school's acceptable use policy, then confirm each statement.",
        [
            "I will use the school's ICT systems, email and internet for school purposes, and keep personal use brief and out of lesson time.",
            "I will keep my passwords private, lock my screen when I leave it, and never use someone else's account.",
            "I will keep pupils' personal data secure: I will not take it off site unencrypted or send it by personal email.",
            "I will not contact pupils through personal social media, phones or email, and I will report any approach from a pupil.",
            "I will only take photos or videos of pupils on school equipment, and only of pupils whose parents have given consent.",
            "I will report at once any e-safety incident, lost equipment or data sent in error to the e-safety lead or headteacher.",
            "I understand that the school monitors the use of its systems, and that misuse may lead to disciplinary action.",
        ],
    ),
    Audience.VISITORS: (
        "Visitors' mobile phone and ICT rules",
        "Welcome. While you are in school, please agree to the following.",
        [
            *PHONE_RULES_FOR_PARENTS_AND_VISITORS,
            "I will not use my phone or any device to take video or sound recordings of pupils.",
            "I will only use the school's network or computers if a member of staff has given me access.",
        ],
    ),
    Audience.KS2: (
        "My ICT contract (key stage 2)",
        "I will use computers, tablets and the internet safely and kindly.",
        [
            "I will only use my own login and keep my password secret.",
            "I will only visit websites and apps my teacher allows.",
            "I will be polite and kind to others online, and I will not share anything unkind.",
            "I will never share my name, address, school or photos with people I meet online.",
            "If I see something that worries or upsets me, I will tell an adult straight away.",
        ],
    ),
    Audience.EYFS_KS1: (
        "Our rules for using computers and tablets",
        "Read aloud to the class at the start of the year.",
        [
            "We ask an adult before we use a computer or tablet.",
            "We only use the things our teacher has shown us.",
            "We are kind when we use computers.",
            "We tell an adult if we see something we don't like.",
        ],
    ),
    Audience.PARENTS: (
        "Parent and carer agreement for my child's use of ICT",
        "Please read the school's acceptable use policy with your child, then confirm each statement.",
        [
            "I have read the acceptable use rules and talked about them with my child.",
            "I understand the school filters and monitors internet use, but cannot guarantee that no unsuitable material will ever be seen.",
            "I will support the school in teaching my child to be safe online, and tell the school about any concern.",
            "I will not post photos or videos of other children from school events on social media.",
            *PHONE_RULES_FOR_PARENTS_AND_VISITORS,
        ],
    ),
    Audience.LOANS: (
        "Conditions for borrowing school ICT equipment",
        "The equipment stays the school's property. Please read these conditions before you sign for it.",
        [
            "I will use the equipment for school work only, and I will not lend it to anyone else.",
            "I will keep it in a secure cupboard at school overnight, or inside my home, never left in a car.",
            "I will keep the case on the device at all times.",
            "I will not install unauthorised software, and I will keep school data on it secure and password-protected.",
            "I will report a loss, theft or damage to the school office at once.",
            "I will return the equipment, with its accessories, when asked or when I leave the school.",
        ],
    ),
}

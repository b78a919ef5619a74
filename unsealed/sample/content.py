"""The fictional documents of the sample release (people, firms and events are invented).

Each document is a list of page line-lists; `corpus.py` decides data sets, Bates numbers and whether
pages are scanned. Runs of █ are redactions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from unsealed.sample.layout import paginate, wrap


@dataclass
class DocumentSpec:
    pages: list[list[str]]
    scanned: bool | list[bool] = False
    font: str = "Helvetica"
    extension: str = ".pdf"
    notes: list[str] = field(default_factory=list)


def email(
    sender: str, to: str, sent: str, subject: str, body: str, cc: str = "", stacked: bool = False
) -> list[str]:
    """A printed e-mail: `Label: value` lines, or labels first then values (the second layout)."""
    labels = ["From:", "Sent:", "To:"] + (["Cc:"] if cc else []) + ["Subject:"]
    values = [sender, sent, to] + ([cc] if cc else []) + [subject]
    header = (
        labels + values
        if stacked
        else [f"{label} {value}" for label, value in zip(labels, values, strict=True)]
    )
    return [*header, "", *wrap(body)]


EMAILS: list[DocumentSpec] = [
    DocumentSpec(
        [
            email(
                "Martin Kessler <mkessler@northgate-capital.example>",
                "Dana Whitfield <dana.whitfield@harborpoint.example>",
                "Monday, April 16, 2018 10:01 AM",
                "Teterboro schedule for Thursday",
                "Dana, the Gulfstream leaves Teterboro at 7:40 on Thursday. Oliver Brandt will meet you at the "
                "Palm Beach terminal. Please confirm the passenger list with Meridian Aviation by Wednesday noon. "
                "Call me on (212) 555-0134 if anything changes.\n\nMartin",
            )
        ]
    ),
    DocumentSpec(
        [
            email(
                "Dana Whitfield <dana.whitfield@harborpoint.example>",
                "Martin Kessler <mkessler@northgate-capital.example>",
                "1/15/2019 4:44:33 PM",
                "RE: Harbor Point Foundation board minutes",
                "Martin, attached are the minutes of the Harbor Point Foundation board meeting in Santa Fe. "
                "Priya Raman asked that the grant to the Okafor Institute be discussed again in March. "
                "Samuel Okafor could not attend.\n\n-----Original Message-----\n"
                "From: Martin Kessler\nSent: Tuesday, January 15, 2019 9:12 AM\nTo: Dana Whitfield\n"
                "Subject: Harbor Point Foundation board minutes\n\nDana, could you send me the minutes? Thanks, M.",
                cc="Priya Raman <praman@harborpoint.example>",
            )
        ]
    ),
    DocumentSpec(
        [
            email(
                "Helena Voss <hvoss@vossandpartners.example>",
                "Martin Kessler <mkessler@northgate-capital.example>",
                "Wed, 24 Dec 2014 20:52:29 +0000",
                "Paris apartment - keys",
                "Martin, the keys for the avenue Foch apartment are with the concierge. Claire Dubois will show "
                "the guests in on the 27th. The invoice from Voss & Partners follows separately. Helena",
                stacked=True,
            )
        ]
    ),
    DocumentSpec(
        [
            email(
                "Oliver Brandt <obrandt@meridian-aviation.example>",
                "Martin Kessler <mkessler@northgate-capital.example>",
                "3/2/2017 8:05:10 AM",
                "Passenger manifest St. Thomas",
                "Manifest for the St. Thomas flight on March 4: Martin Kessler, Dana Whitfield, █████████████, "
                "Rafael Ortega. Fuel stop in Fort Lauderdale. Pilot: Captain Lena Hoffmann. Questions to "
                "ops@meridian-aviation.example or +1 305 555 0199.",
            )
        ]
    ),
    DocumentSpec(
        [
            email(
                "Priya Raman <praman@harborpoint.example>",
                "Samuel Okafor <sokafor@okafor-institute.example>",
                "Friday, June 7, 2019 3:30 PM",
                "Grant application",
                "Dear Samuel, the Harbor Point Foundation has received your application. The board meets in New "
                "York on June 20. Martin Kessler has asked to review all grants above $50,000. Best, Priya",
            )
        ],
        scanned=True,
    ),
    DocumentSpec(
        [
            email(
                "Rafael Ortega <rortega@ortega-legal.example>",
                "Dana Whitfield <dana.whitfield@harborpoint.example>",
                "Thursday, October 3, 2019 11:15 AM",
                "Subpoena received",
                "Dana, we received a subpoena from the Southern District of New York concerning Northgate "
                "Capital LLC. Please preserve all records, including e-mail and flight logs from 2016 to "
                "2019. I will call you this afternoon. " * 3,
            ),
            wrap(
                "The request covers correspondence between Martin Kessler, Helena Voss and Oliver Brandt, and "
                "any payments routed through Voss & Partners in Geneva. Do not discuss this with anyone at "
                "Meridian Aviation until we have spoken.\n\nRafael Ortega\nOrtega Legal, Miami"
            ),
        ]
    ),
    DocumentSpec(
        [
            email(
                "Claire Dubois <claire.dubois@example.fr>",
                "Helena Voss <hvoss@vossandpartners.example>",
                "Tue, 9 Jul 2019 07:12:45 +0200",
                "Guests for the Santa Fe property",
                "Helena, the guests arrive in Santa Fe on Friday. Martin asked that nobody from Northgate Capital "
                "be told. I booked the car with Meridian Aviation's driver. Claire",
            )
        ]
    ),
    DocumentSpec(
        [
            email(
                "Samuel Okafor <sokafor@okafor-institute.example>",
                "Priya Raman <praman@harborpoint.example>",
                "6/12/2019 9:02:11 AM",
                "RE: Grant application",
                "Priya, thank you. I will be in New York on June 20 and can present the proposal to the board. "
                "Please call me on (646) 555-0161. Samuel Okafor, Okafor Institute",
                stacked=True,
            )
        ],
        scanned=True,
    ),
    DocumentSpec(
        [
            email(
                "Martin Kessler <mkessler@northgate-capital.example>",
                "Rafael Ortega <rortega@ortega-legal.example>",
                "Saturday, October 5, 2019 6:47 PM",
                "Privileged - do not forward",
                "Rafael, I have nothing to add to what Dana told you. Helena Voss handled the Geneva accounts. "
                "Let us meet in Palm Beach on Monday. M.",
                cc="Dana Whitfield <dana.whitfield@harborpoint.example>",
            )
        ]
    ),
    DocumentSpec(
        [
            email(
                "Lena Hoffmann <lhoffmann@meridian-aviation.example>",
                "Oliver Brandt <obrandt@meridian-aviation.example>",
                "2/27/2017 5:30:00 PM",
                "Crew rest before St. Thomas",
                "Oliver, the crew needs 10 hours of rest before the St. Thomas leg on March 4. If Mr. Kessler "
                "wants to leave earlier we need a second pilot. Lena",
            )
        ]
    ),
]

MEMOS: list[DocumentSpec] = [
    DocumentSpec(
        [
            [
                "MEMORANDUM",
                "",
                "TO: File",
                "FROM: Special Agent █████████",
                "DATE: March 12, 2020",
                "RE: Interview of Dana Whitfield",
                "",
                *wrap(
                    "Dana Whitfield, executive director of the Harbor Point Foundation, was interviewed at the "
                    "field office in West Palm Beach. Whitfield stated that she met Martin Kessler in 2012 "
                    "through Helena Voss. She described flights on the Meridian Aviation Gulfstream between "
                    "Teterboro, Palm Beach and St. Thomas. She identified Oliver Brandt as the scheduler."
                ),
            ],
            wrap(
                "Whitfield provided copies of e-mails with Kessler and said that Priya Raman kept the board "
                "records. She declined to discuss payments by Northgate Capital LLC on advice of counsel, "
                "Rafael Ortega. The interview ended at 4:10 PM."
            ),
        ]
    ),
    DocumentSpec(
        [
            [
                "MEMORANDUM",
                "",
                "RE: Records received from Meridian Aviation",
                "",
                *wrap(
                    "Meridian Aviation produced 212 pages of flight logs covering 2016 through 2019, with "
                    "passenger names partly redacted by the company. Contact: Oliver Brandt, (561) 555-0142. "
                    "Records were logged under item number 2020-117."
                ),
            ]
        ],
        scanned=True,
    ),
    DocumentSpec(
        [
            [
                "LETTER",
                "",
                "Voss & Partners, Rue du Rhône 14, Geneva",
                "",
                "Dear Mr. Kessler,",
                "",
                *wrap(
                    "Please find enclosed our invoice for services rendered in Paris and London. Payment may be "
                    "made to our account at ████████████████ as before. Claire Dubois will coordinate the "
                    "arrangements for the Santa Fe property.\n\nYours sincerely,\nHelena Voss"
                ),
            ]
        ],
        scanned=True,
    ),
    DocumentSpec(
        [
            [
                "CONTACT LIST (seized, handwritten, transcribed)",
                "",
                "Kessler, Martin      (212) 555-0134    mkessler@northgate-capital.example",
                "Whitfield, Dana      (561) 555-0188    dana.whitfield@harborpoint.example",
                "Brandt, Oliver       (561) 555-0142    obrandt@meridian-aviation.example",
                "Voss, Helena         +41 22 555 01 23  hvoss@vossandpartners.example",
                "Ortega, Rafael       (305) 555-0117    rortega@ortega-legal.example",
                "Dubois, Claire       +33 1 55 55 01 45",
                "█████████████        ██████████████",
            ]
        ],
        font="Courier",
    ),
]


def flight_log() -> DocumentSpec:
    """A flight-log-like table over two pages (monospaced, as typed logs are)."""
    header = ["FLIGHT LOG - N212MA (GULFSTREAM IV)", "", "DATE        FROM  TO    PASSENGERS"]
    routes = [("TEB", "PBI"), ("PBI", "STT"), ("STT", "PBI"), ("PBI", "SAF"), ("SAF", "TEB"), ("TEB", "LBG")]
    people = ["M. Kessler", "D. Whitfield", "O. Brandt", "H. Voss", "R. Ortega", "C. Dubois", "████████"]
    rows = []
    for i in range(60):
        origin, destination = routes[i % len(routes)]
        names = ", ".join(people[(i + k) % len(people)] for k in range(1 + i % 3))
        rows.append(
            f"{2016 + i // 20}-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}  {origin}   {destination}   {names}"
        )
    lines = header + rows
    return DocumentSpec([lines[:45], ["DATE        FROM  TO    PASSENGERS", *lines[45:]]], font="Courier")


def seed_article(text: str) -> DocumentSpec:
    """The seed page's six pages: each ends with its Bates line, which becomes the stamp."""
    pages: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("EFTA") and line[4:].isdigit():
            pages.append([])
        else:
            pages[-1].append(line)
    return DocumentSpec([p for p in pages if p])


def long_report(paragraph: str, pages: int) -> DocumentSpec:
    return DocumentSpec(paginate(wrap(paragraph * 6) * pages, per_page=50)[:pages])

"""Compact lists of common first names and surnames of the people who work at Dutch
municipalities: Dutch, Frisian, Moroccan, Turkish, Surinamese (Creole, Hindustani,
Javanese), Antillean and Polish.

Why lists at all: the small Dutch NER model misses names without a context word, most of all
at the start of a sentence ("Wytse Hiemstra van de buitendienst raadde me deze scan aan") and
names from outside the Dutch training data. A name pair in which one part is on a list, or
has a typical surname ending (-stra, -ski, -oğlu, -persad ...), is a name wherever it stands.

Kept out on purpose: names that are ordinary Dutch words or places ("Kader", "Rayon",
"Berg", "Bos", "Vos", "Maas", "Statia"); those count only after a context word or a title.
Everything is matched in lower case.
"""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(w.lower() for w in block.split())


EXTRA_FIRST_NAMES = _words(
    """
    Wytse Sytse Sytze Jelte Tsjerk Wiebren Feike Jorrit Lieuwe Sjirk Tjibbe Ulbe Yde Ate Doede
    Eeltsje Hotse Tjalle Tsjitske Aukje Dieuwke Fokje Gelske Hiske Jitske Marije Nynke Tjerkje
    Wiebke Yfke Aaltsje Mintsje Tjitte Harmen Hendrikje Sjoerdje Jildert Reinder Willemke Fedde
    Abdelilah Abderrahim Abdelhamid Abdeslam Achraf Adnan Aziz Bouchra Chakib Faissal Hakim
    Hatim Idriss Jalal Kamal Lahcen Mourad Noureddine Yahya Zouhair Ouassima Ilham Najoua
    Ghizlane Kawtar Meryam Oumaima Yamina Zoulikha Hanane Ibtissam Naoual Hafida Laila Asmae
    Fatna Rkia Mohamed-Amine Abdelmajid Rachid Hamid Nourdine Soufyan Oussama Ayman Ikram Hiba
    Abdullah Anıl Anil Batuhan Bülent Bulent Cihan Coşkun Coskun Ekrem Engin Ersin Ferhat
    Gürkan Gurkan İsmail Kadir Kenan Mahmut Mert Muhammet Nihat Oğuz Oguz Okan Ramazan Sedat
    Şükrü Taner Tarkan Yavuz Zeki Aslı Asli Aysel Ayşegül Aysegul Cansu Demet Dilara Esin
    Feride Gamze Gönül Gonul Hacer İpek Ipek Nazlı Nazli Nurten Özge Ozge Rabia Sevim Şeyma
    Seyma Tuğçe Tugce Yeliz Zehra Zeliha Hatice Sevgül Emrah Serhat Furkan Onur Tuncay
    Romeo Ivan Gerold Chandrika Ashvin Rishi Sanjay Soenil Ramon Rudie Sheryl Sharda Sutrisno
    Wagimin Sarmi Suparman Ngatimin Kartini Sriyani Tukimin Marjorie Roy-Anthony Jurgen
    Shanti Soeniel Radjesh Ravindre Sharmila Ashwien Vinod Chitra Nandini Oemrawati Dewkoemar
    Jerrel Ricky Virgilio Orlando Errol Wendell Dino Romario Rinia Ingrid Gaby Cheryl Ilonka
    Jurickson Shurandy Sherwin Churandy Giovanni Roderick Eugene Edsel Rignald Xiomara Yuniska
    Sharisca Jeanette Dwayne Jurmaine Quinsy Zuleika Darlene Shaquira Yolanda Urvin Glenda
    Maritza Siomara Ruthmila Gilbert Norwin Raymi Jeandro Luigi Shanon Dayenne Kimberley
    Piotr Paweł Pawel Andrzej Stanisław Stanislaw Tadeusz Wojciech Łukasz Lukasz Grzegorz
    Mariusz Jakub Kamil Dariusz Rafał Rafal Mateusz Bartosz Przemysław Przemyslaw Sławomir
    Slawomir Zbigniew Jerzy Ryszard Dawid Adrian Małgorzata Malgorzata Ewa Barbara Beata
    Dorota Elżbieta Elzbieta Grażyna Grazyna Iwona Justyna Karolina Marta Natalia Paulina
    Sylwia Urszula Wioletta Zofia Weronika Kinga Renata Edyta Bożena Bozena Halina Jolanta
    Krystyna Danuta Wanda Teresa Maciej Marcin Sebastian Radosław Radoslaw Artur Zdzisław
    """
)

SURNAMES = _words(
    """
    Jansen Janssen Bakker Visser Smit Meijer Meyer Mulder Dekker Brouwer Hendriks Peters
    Dijkstra Smits Jacobs Vermeulen Willems Hoekstra Koster Huisman Kuipers Wouters Verhoeven
    Postma Schouten Kramer Hermans Verbeek Scholten Vermeer Veenstra Timmermans Evers
    Gerritsen Sanders Hofman Boersma Bosman Kuijpers Maassen Hoogendoorn Verschuren Claassen
    Bijl Verhagen Mertens Pronk Kuiper Blom Driessen Vink Wijnen Koopman Hoogland
    Hiemstra Bosma Wiersma Zijlstra Terpstra Jongsma Kingma Hofstra Sikkema Yntema Bergsma
    Rienstra Tjeerdsma Hylkema Jellema Kooistra Haagsma Osinga Wijnsma Atsma Feenstra Miedema
    Nauta Algra Attema Anema Hettinga Hellinga Sijtsma Tolsma Wielinga Wouda Dijkema
    Amrani Bouzidi Boukhari Azzouzi Khattabi Benali Bennani Tahiri Ouali Idrissi Mansouri
    Hamdaoui Aarab Azzaoui Bouchtaoui Boulahrouz Ziyech Ahmadi Achahbar Taleb Lamrani Belhaj
    Bakkali Haddouchi Yahyaoui Boutaher Ouhadi Saidi Charrouf Essaidi Fadili Jaouhari
    Rahmouni Kaddouri Zaari Baghdadi Tabit Ouazzani Laaroussi Bouali Benhaddou Amghar Bouker
    Chahid Mokhtari Ouadi Hajji Elouali Marzouki Zeroual Bouchiba Abarkan Aboutaleb Akhnikh
    Yılmaz Yilmaz Kaya Demir Şahin Sahin Çelik Celik Yıldız Yildiz Yıldırım Yildirim Öztürk
    Ozturk Aydın Aydin Özdemir Ozdemir Arslan Doğan Dogan Kılıç Kilic Aslan Çetin Cetin Koç
    Özkan Ozkan Şimşek Simsek Polat Korkmaz Erdoğan Erdogan Güler Guler Aksoy Keskin Ünal
    Unal Tekin Bozkurt Avcı Avci Turan Akgül Akgul Karaca Kocabaş Altun Bulut Coşkun Güneş
    Gunes Kurtuluş Acar Aktaş Aktas Uçar Ucar Durmaz Sarı Kaplan Yurt Gök Topal Tunç Tunc
    Ramdin Ramcharan Jagessar Sewdien Ramlal Mahabier Bhagwandin Kalloe Baldew Ramsaran
    Sital Mangal Rampersad Persaud Soekhai Ramautar Autar Chotoe Lachman Ramkisoen Bissessar
    Sewnandan Kanhai Gangadin Debipersad Ramnath Kasanmoentalib Kartosen Sarmo Soekarjo
    Kromodimedjo Dikromo Karsowidjojo Pawirodihardjo Amatdjais Kasanwirjo Kromowidjojo
    Sowirono Wijngaarde Pinas Doorson Blufpand Zeefuik Wijdenbosch Zandgrond Belfor Sabajo
    Breeveld Kensenhuis Vlijter Lachmon Samsoedien Hoost Kiesel Tjon Brunings Nelom Abauna
    Martina Isenia Rosaria Martis Koeiman Rojer Pieternella Winklaar Maduro Cijntje
    Rosalia Cicilia Anthonia Leito Sulvaran Clemencia Marchena Supriano Balentien Jonis
    Mercera Schotborgh Heyliger Arrindell Sillé Wawoe Girigorie Wiels Francisca Doran
    Nowak Kowalski Kowalska Wiśniewski Wisniewski Wiśniewska Wójcik Wojcik Kowalczyk
    Kamiński Kaminski Lewandowski Lewandowska Zieliński Zielinski Szymański Szymanski
    Woźniak Wozniak Dąbrowski Dabrowski Kozłowski Kozlowski Jankowski Mazur Wojciechowski
    Kwiatkowski Krawczyk Kaczmarek Piotrowski Grabowski Zając Zajac Pawłowski Pawlowski
    Michalski Wieczorek Jabłoński Jablonski Wróbel Wrobel Nowakowski Majewski Olszewski
    Stępień Stepien Malinowski Jaworski Adamczyk Dudek Nowicki Pawlak Górski Gorski Witkowski
    Walczak Sikora Rutkowski Michalak Szewczyk Ostrowski Tomaszewski Pietrzak Zalewski
    Wróblewski Jasiński Jasinski Marciniak Kowalewski Szczepański Baran Czarnecki
    """
)

#: Endings that only surnames have (checked on capitalised words of at least 6 letters):
#: Frisian -stra/-sma/-inga, Polish -ski/-cki/-wicz/-czyk, Turkish -oğlu/-türk, Moroccan
#: -aoui, Surinamese Hindustani -persad/-kisoen and Javanese -djojo/-dihardjo/-dimedjo.
SURNAME_SUFFIXES: tuple[str, ...] = (
    "stra",
    "sma",
    "inga",
    "enga",
    "ski",
    "ska",
    "cki",
    "cka",
    "dzki",
    "wicz",
    "czyk",
    "czak",
    "oğlu",
    "oglu",
    "türk",
    "aoui",
    "persad",
    "kisoen",
    "djojo",
    "dihardjo",
    "dimedjo",
    "moentalib",
    "sing",
    "singh",
)

#: Capitalised Dutch words that can start a sentence before a name or another capital
#: ("Vandaag Piet", "Collega Hiemstra"): never the first half of a name pair.
SENTENCE_STARTERS = _words(
    """
    Vandaag Gisteren Morgen Volgens Samen Toen Daarna Misschien Eigenlijk Helaas Gelukkig
    Sinds Tijdens Zonder Namens Dankzij Ondanks Behalve Vooral Vaak Soms Laatst Onlangs Straks
    Binnenkort Afgelopen Vorige Vorig Volgende Deze Dit Die Dat Mijn Onze Jouw Uw Hun Haar
    Zijn Collega Collega's Meneer Mevrouw Team Afdeling Gemeente Regio Provincie Stad Dorp
    Wijk Directie Dienst Bureau Beste Lieve Hallo Hoi Dag Groeten Ook Alleen Zelfs Bel Mail
    Vraag Zeg Stuur Graag Welkom Bedankt Dank Succes Fijne Prettige Goede Nieuwe Oude Grote
    Kleine Eerste Tweede Derde Laatste Alle Elke Iedere Veel Weinig Geen Enkele Sommige Wie
    Wat Waar Wanneer Waarom Hoe Welke Welk Hierbij Verder Daarom Dus Want Maar
    """
)
#: Dutch word endings names do not have: "Maatschappelijke Ondersteuning", "Digitale
#: Vaardigheden" are title-cased words, not people.
DUTCH_WORD_SUFFIXES: tuple[str, ...] = (
    "ing",
    "ingen",
    "heid",
    "heden",
    "schap",
    "lijk",
    "lijke",
    "isch",
    "ische",
    "teit",
    "atie",
    "aties",
    "ering",
    "nis",
    "baar",
    "bare",
    "achtig",
    "ief",
    "ieve",
    "eel",
    "ele",
    "tie",
    "ties",
    "sie",
    "ment",
    "menten",
    "eren",
    "sten",
    "igheid",
    "erij",
    "ij",
    "ijen",
    "ale",
    "ische",
    "ende",
    "ste",
    "heid",
    "werk",
    "plan",
    "gids",
    "punt",
    "huis",
    "lab",
)

#: Places that NER often misses, as single words: provinces and their parts, big towns and
#: municipalities. A place is never half of a name pair ("Noord Holland", "Zuid Limburg").
KNOWN_PLACES = _words(
    """
    Holland Brabant Limburg Zeeland Friesland Fryslân Groningen Drenthe Overijssel Flevoland
    Gelderland Utrecht Twente Achterhoek Veluwe Betuwe Salland Westland Gooi Kennemerland
    Randstad Amsterdam Rotterdam Haag Gravenhage Hertogenbosch Bosch Eindhoven Tilburg Breda
    Nijmegen Arnhem Apeldoorn Enschede Hengelo Almelo Deventer Zwolle Kampen Amersfoort
    Hilversum Haarlem Zaanstad Alkmaar Hoorn Purmerend Almere Lelystad Emmeloord Leiden Delft
    Dordrecht Zoetermeer Gouda Schiedam Vlaardingen Spijkenisse Leeuwarden Sneek Heerenveen
    Drachten Harlingen Dokkum Assen Emmen Hoogeveen Meppel Middelburg Vlissingen Terneuzen Goes
    Maastricht Venlo Heerlen Sittard Roermond Weert Helmond Oss Roosendaal Bergen Ede Wageningen
    Doetinchem Zutphen Tiel Nieuwegein Veenendaal Zeist Houten Woerden Alphen Katwijk Westland
    Súdwest-Fryslân Smallingerland Tytsjerksteradiel Waadhoeke Noardeast-Fryslân Opsterland
    Ooststellingwerf Weststellingwerf Achtkarspelen Dantumadiel Harlingen Terschelling
    Vlieland Ameland Schiermonnikoog Texel Curaçao Aruba Bonaire Suriname Paramaribo Marokko
    Turkije Polen Antillen Nederland Europa Noord Zuid Oost West Midden Noordoost Zuidwest
    """
)

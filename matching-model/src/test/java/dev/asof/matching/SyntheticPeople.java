package dev.asof.matching;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import dev.asof.events.AttributeValue;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.datafaker.Faker;

/**
 * A seeded synthetic population of contact-centre profiles with known truth, FEBRL style: people (Datafaker names,
 * English and Spanish, so accents and compound surnames occur), each with an original profile and sometimes duplicates
 * that are corrupted the way contact-centre data is: one channel each (a call leaves a phone, a chat an email),
 * missing fields, typos and neighbour transpositions in names, nicknames, accents and apostrophes dropped, phone
 * format variants (national and international), email variants (case, Gmail dots, {@code +tags}, googlemail), day
 * and month swapped or one digit off in the date of birth, moved postcodes.
 *
 * <p>Hard negatives: households (two to four people sharing a landline, last name and postcode), switchboards (six to
 * twelve colleagues sharing a company number and often the office postcode), people with the same common name, and
 * profiles whose phone is a withheld placeholder.
 *
 * <p>Phones are US numbers, so national formats read in the default region {@code US}. Free of JUnit so a benchmark
 * can reuse it. Same seed, same population.
 */
public final class SyntheticPeople {

    /** One generated profile: its id, the person it really is, and its attributes as a profile would hold them. */
    public record Profile(String customerId, String personId, Map<String, AttributeValue> attributes) {}

    /** A generated population and the seed that made it. */
    public record Population(long seed, List<Profile> profiles) {}

    private record Person(
            String id, String first, String last, LocalDate born, String postcode, String phone, String email) {}

    private static final List<String> AREA_CODES = List.of(
            "201", "202", "206", "212", "213", "214", "303", "305", "312", "313", "404", "415", "512", "602", "617",
            "646", "702", "713", "718", "773", "801", "818", "917", "919");
    private static final List<String> PROVIDERS = List.of(
            "gmail.com",
            "gmail.com",
            "gmail.com",
            "outlook.com",
            "hotmail.com",
            "yahoo.com",
            "yahoo.com",
            "icloud.com",
            "mail.example",
            "correo.example");
    private static final List<String[]> COMMON_NAMES = List.of(
            new String[] {"James", "Smith"},
            new String[] {"María", "García"},
            new String[] {"Michael", "Johnson"},
            new String[] {"José", "Rodríguez"},
            new String[] {"Mary", "Williams"},
            new String[] {"David", "Brown"},
            new String[] {"Robert", "Jones"},
            new String[] {"John", "Miller"},
            new String[] {"Jennifer", "Davis"},
            new String[] {"Linda", "Wilson"},
            new String[] {"William", "Moore"},
            new String[] {"Elizabeth", "Taylor"},
            new String[] {"Antonio", "Fernández"},
            new String[] {"Carmen", "López"},
            new String[] {"Manuel", "Martínez"},
            new String[] {"Ana", "Sánchez"},
            new String[] {"Francisco", "Pérez"},
            new String[] {"Laura", "Gómez"},
            new String[] {"Juan", "Martín"},
            new String[] {"Isabel", "Jiménez"});
    private static final Map<String, List<String>> NICKNAMES = Map.ofEntries(
            Map.entry("william", List.of("Bill", "Will")),
            Map.entry("robert", List.of("Bob", "Rob")),
            Map.entry("elizabeth", List.of("Liz", "Beth")),
            Map.entry("katherine", List.of("Kate", "Katie")),
            Map.entry("james", List.of("Jim", "Jimmy")),
            Map.entry("michael", List.of("Mike")),
            Map.entry("anthony", List.of("Tony")),
            Map.entry("jose", List.of("Pepe")),
            Map.entry("francisco", List.of("Paco")),
            Map.entry("richard", List.of("Rick", "Dick")),
            Map.entry("thomas", List.of("Tom")),
            Map.entry("david", List.of("Dave")),
            Map.entry("daniel", List.of("Dan", "Danny")),
            Map.entry("joseph", List.of("Joe")),
            Map.entry("christopher", List.of("Chris")),
            Map.entry("matthew", List.of("Matt")),
            Map.entry("jennifer", List.of("Jen", "Jenny")),
            Map.entry("margaret", List.of("Maggie", "Peggy")),
            Map.entry("manuel", List.of("Manolo")),
            Map.entry("dolores", List.of("Lola")),
            Map.entry("ignacio", List.of("Nacho")));
    private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

    private final Random random;
    private final Faker english;
    private final Faker spanish;
    private final List<String> postcodes = new ArrayList<>();
    private final List<Profile> profiles = new ArrayList<>();
    private int people;

    private SyntheticPeople(long seed) {
        this.random = new Random(seed);
        this.english = new Faker(Locale.US, new Random(seed + 1));
        this.spanish = new Faker(Locale.forLanguageTag("es"), new Random(seed + 2));
    }

    /** {@code count} profiles made from {@code seed}. */
    public static Population generate(long seed, int count) {
        SyntheticPeople generator = new SyntheticPeople(seed);
        for (int i = 0; i < Math.max(50, count / 8); i++) {
            generator.postcodes.add(String.format(Locale.ROOT, "%05d", 10000 + generator.random.nextInt(89999)));
        }
        while (generator.profiles.size() < count) {
            generator.next();
        }
        return new Population(seed, List.copyOf(generator.profiles.subList(0, count)));
    }

    private void next() {
        double kind = random.nextDouble();
        if (kind < 0.08) {
            household();
        } else if (kind < 0.11) {
            switchboard();
        } else if (kind < 0.13) {
            commonName();
        } else {
            emit(person(firstName(), lastName(), phone(), postcode()));
        }
    }

    private void household() {
        String last = lastName();
        String landline = phone();
        String postcode = postcode();
        int members = 2 + random.nextInt(3);
        for (int i = 0; i < members; i++) {
            emit(person(firstName(), last, landline, postcode));
        }
    }

    private void switchboard() {
        String number = phone();
        String office = postcode();
        String domain = "firm" + random.nextInt(1000) + ".example";
        int colleagues = 6 + random.nextInt(7);
        for (int i = 0; i < colleagues; i++) {
            Person colleague = person(firstName(), lastName(), number, random.nextBoolean() ? office : postcode());
            String email = asciiLocal(colleague.first()) + "." + asciiLocal(colleague.last()) + "@" + domain;
            emit(new Person(
                    colleague.id(),
                    colleague.first(),
                    colleague.last(),
                    colleague.born(),
                    colleague.postcode(),
                    colleague.phone(),
                    email));
        }
    }

    private void commonName() {
        String[] name = COMMON_NAMES.get(random.nextInt(COMMON_NAMES.size()));
        int namesakes = 2 + random.nextInt(2);
        for (int i = 0; i < namesakes; i++) {
            emit(person(name[0], name[1], phone(), postcode()));
        }
    }

    private Person person(String first, String last, String phone, String postcode) {
        String id = "p-" + (++people);
        LocalDate born = LocalDate.of(1940, 1, 1).plusDays(random.nextInt(65 * 365));
        String email = asciiLocal(first) + (random.nextBoolean() ? "." : "") + asciiLocal(last) + random.nextInt(1000)
                + "@" + PROVIDERS.get(random.nextInt(PROVIDERS.size()));
        return new Person(id, first, last, born, postcode, phone, email);
    }

    private void emit(Person person) {
        profiles.add(original(person));
        double duplicates = random.nextDouble();
        int count = duplicates < 0.55 ? 0 : duplicates < 0.85 ? 1 : duplicates < 0.95 ? 2 : 3;
        for (int i = 0; i < count; i++) {
            profiles.add(duplicate(person));
        }
    }

    private Profile original(Person person) {
        Map<String, AttributeValue> attributes = new LinkedHashMap<>();
        if (chance(0.03)) {
            put(attributes, "phone", random.nextBoolean() ? "anonymous" : "0000000000");
        } else if (chance(0.85)) {
            put(attributes, "phone", formatted(person.phone()));
        }
        putIf(attributes, 0.75, "email", person.email());
        putIf(attributes, 0.98, "name_first", person.first());
        putIf(attributes, 0.98, "name_last", person.last());
        putIf(attributes, 0.80, "address.postcode", person.postcode());
        putIf(attributes, 0.75, "date_of_birth", person.born().toString());
        return profile(person, attributes);
    }

    private Profile duplicate(Person person) {
        Map<String, AttributeValue> attributes = new LinkedHashMap<>();
        double channel = random.nextDouble();
        boolean call = channel < 0.65;
        boolean chat = channel >= 0.35;
        if (call) {
            put(attributes, "phone", chance(0.05) ? formatted(phone()) : formatted(person.phone()));
        }
        if (chat) {
            put(
                    attributes,
                    "email",
                    chance(0.05) ? asciiLocal(person.first()) + "@new.example" : variant(person.email()));
        }
        String first = firstNameVariant(person.first());
        if (first != null) {
            put(attributes, "name_first", first);
        }
        String last = lastNameVariant(person.last());
        if (last != null) {
            put(attributes, "name_last", last);
        }
        double postcode = random.nextDouble();
        if (postcode < 0.75) {
            put(attributes, "address.postcode", person.postcode());
        } else if (postcode < 0.83) {
            put(attributes, "address.postcode", postcode());
        }
        LocalDate born = bornVariant(person.born());
        if (born != null) {
            put(attributes, "date_of_birth", born.toString());
        }
        return profile(person, attributes);
    }

    private Profile profile(Person person, Map<String, AttributeValue> attributes) {
        String customerId = String.format(Locale.ROOT, "c-%06d", profiles.size() + 1);
        return new Profile(customerId, person.id(), Map.copyOf(attributes));
    }

    private String firstNameVariant(String first) {
        double r = random.nextDouble();
        if (r < 0.05) {
            return null;
        }
        if (r < 0.15) {
            List<String> nicknames = NICKNAMES.get(Names.fold(first));
            if (nicknames != null) {
                return nicknames.get(random.nextInt(nicknames.size()));
            }
        }
        if (r < 0.27) {
            return typo(first);
        }
        return spellingVariant(first);
    }

    private String lastNameVariant(String last) {
        double r = random.nextDouble();
        if (r < 0.05) {
            return null;
        }
        if (r < 0.07) {
            return lastName();
        }
        if (r < 0.19) {
            return typo(last);
        }
        return spellingVariant(last);
    }

    private LocalDate bornVariant(LocalDate born) {
        double r = random.nextDouble();
        if (r < 0.20) {
            return null;
        }
        if (r < 0.26 && born.getDayOfMonth() <= 12 && born.getDayOfMonth() != born.getMonthValue()) {
            return LocalDate.of(born.getYear(), born.getDayOfMonth(), born.getMonthValue());
        }
        if (r < 0.32) {
            return random.nextBoolean() ? born.plusDays(1) : born.plusYears(random.nextBoolean() ? 1 : -1);
        }
        return born;
    }

    /** Case, accents, apostrophes, hyphens and spaces as a hurried agent types them. */
    private String spellingVariant(String name) {
        double r = random.nextDouble();
        if (r < 0.10) {
            return name.toUpperCase(Locale.ROOT);
        }
        if (r < 0.20) {
            return name.toLowerCase(Locale.ROOT);
        }
        if (r < 0.30) {
            return java.text.Normalizer.normalize(name, java.text.Normalizer.Form.NFD)
                    .replaceAll("\\p{M}", "");
        }
        if (r < 0.40) {
            return name.replace("'", random.nextBoolean() ? "" : " ").replace("-", " ");
        }
        return " " + name + " ";
    }

    /** One FEBRL-style typo: a letter replaced, inserted, dropped, or two neighbours swapped. */
    private String typo(String name) {
        if (name.length() < 4) {
            return name;
        }
        StringBuilder text = new StringBuilder(name);
        int at = 1 + random.nextInt(name.length() - 2);
        char letter = (char) ('a' + random.nextInt(26));
        switch (random.nextInt(4)) {
            case 0 -> text.setCharAt(at, letter);
            case 1 -> text.insert(at, letter);
            case 2 -> text.deleteCharAt(at);
            default -> {
                char here = text.charAt(at);
                text.setCharAt(at, text.charAt(at + 1));
                text.setCharAt(at + 1, here);
            }
        }
        return text.toString();
    }

    private String variant(String email) {
        int at = email.indexOf('@');
        String local = email.substring(0, at);
        String domain = email.substring(at + 1);
        if (domain.equals("gmail.com")) {
            if (chance(0.3)) {
                local = local.replace(".", "");
                int dot = 1 + random.nextInt(local.length() - 1);
                local = local.substring(0, dot) + "." + local.substring(dot);
            }
            if (chance(0.2)) {
                local = local + "+crm";
            }
            if (chance(0.1)) {
                domain = "googlemail.com";
            }
        } else if (Set.of("outlook.com", "hotmail.com", "icloud.com").contains(domain) && chance(0.15)) {
            local = local + "+shop";
        }
        String address = local + "@" + domain;
        return chance(0.3) ? address.toUpperCase(Locale.ROOT) : chance(0.2) ? " " + address : address;
    }

    /** A valid US number as ten national digits. */
    private String phone() {
        while (true) {
            String area = AREA_CODES.get(random.nextInt(AREA_CODES.size()));
            int exchange = 200 + random.nextInt(800);
            if (exchange == 555 || exchange % 100 == 11) {
                continue;
            }
            String national = area + exchange + String.format(Locale.ROOT, "%04d", random.nextInt(10000));
            try {
                if (PHONES.isValidNumber(PHONES.parse(national, "US"))) {
                    return national;
                }
            } catch (com.google.i18n.phonenumbers.NumberParseException e) {
                // not a number libphonenumber accepts: draw again
            }
        }
    }

    private String formatted(String national) {
        String a = national.substring(0, 3);
        String e = national.substring(3, 6);
        String l = national.substring(6);
        return switch (random.nextInt(7)) {
            case 0 -> "(" + a + ") " + e + "-" + l;
            case 1 -> a + "-" + e + "-" + l;
            case 2 -> a + "." + e + "." + l;
            case 3 -> "+1 " + a + " " + e + " " + l;
            case 4 -> "1-" + a + "-" + e + "-" + l;
            case 5 -> "+1" + national;
            default -> national;
        };
    }

    private String postcode() {
        return postcodes.get(random.nextInt(postcodes.size()));
    }

    private String firstName() {
        return chance(0.3) ? spanish.name().firstName() : english.name().firstName();
    }

    private String lastName() {
        return chance(0.3) ? spanish.name().lastName() : english.name().lastName();
    }

    private boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    private void putIf(Map<String, AttributeValue> attributes, double probability, String key, String value) {
        if (chance(probability)) {
            put(attributes, key, value);
        }
    }

    private static void put(Map<String, AttributeValue> attributes, String key, String value) {
        attributes.put(key, AttributeValue.text(value));
    }

    private static String asciiLocal(String name) {
        String folded = Names.fold(name);
        return folded == null ? "x" : folded;
    }

    /** How many profiles each person has: for a summary without personal data. */
    public static Map<Integer, Integer> profilesPerPerson(Population population) {
        Map<String, Integer> perPerson = new HashMap<>();
        population.profiles().forEach(p -> perPerson.merge(p.personId(), 1, Integer::sum));
        Map<Integer, Integer> histogram = new java.util.TreeMap<>();
        perPerson.values().forEach(n -> histogram.merge(n, 1, Integer::sum));
        return histogram;
    }
}

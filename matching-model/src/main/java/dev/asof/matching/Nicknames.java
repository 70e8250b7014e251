package dev.asof.matching;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A small table of short forms of given names, English and Spanish ({@code Bill}/{@code William},
 * {@code Pepe}/{@code José}, {@code Paco}/{@code Francisco}, ...). A short form may stand for several names
 * ({@code Pat}: Patricia or Patrick); two names are nicknames of each other when their sets of canonical names meet.
 * Deliberately small: every entry is a way for two different people to look closer, so only common, unambiguous-enough
 * pairs are in.
 */
public final class Nicknames {

    private static final Map<String, Set<String>> CANONICALS = table();

    private Nicknames() {}

    /** The canonical names a folded given name may stand for; the name itself is always one of them. Sorted. */
    public static Set<String> canonicals(String folded) {
        Set<String> names = new TreeSet<>(CANONICALS.getOrDefault(folded, Set.of()));
        names.add(folded);
        return names;
    }

    private static Map<String, Set<String>> table() {
        Map<String, Set<String>> table = new HashMap<>();
        add(table, "william", "bill", "billy", "will", "willy", "liam");
        add(table, "robert", "bob", "bobby", "rob", "robbie", "bert");
        add(table, "elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "elisa", "isabel");
        add(table, "katherine", "kate", "katie", "kathy", "kat", "catherine", "kathryn");
        add(table, "catherine", "kate", "katie", "cathy", "kathy", "katherine", "kathryn");
        add(table, "james", "jim", "jimmy", "jamie");
        add(table, "michael", "mike", "mikey", "mick");
        add(table, "anthony", "tony");
        add(table, "antonio", "toni", "tono");
        add(table, "jose", "pepe", "pepito");
        add(table, "francisco", "paco", "pancho", "curro", "fran");
        add(table, "richard", "rick", "ricky", "rich", "dick");
        add(table, "thomas", "tom", "tommy");
        add(table, "david", "dave", "davy");
        add(table, "daniel", "dan", "danny");
        add(table, "joseph", "joe", "joey");
        add(table, "christopher", "chris", "kit");
        add(table, "christine", "chris", "chrissy", "tina");
        add(table, "matthew", "matt");
        add(table, "nicholas", "nick", "nicky");
        add(table, "samuel", "sam", "sammy");
        add(table, "samantha", "sam", "sammy");
        add(table, "steven", "steve", "stevie");
        add(table, "stephen", "steve", "stevie");
        add(table, "benjamin", "ben", "benny");
        add(table, "alexander", "alex", "sasha");
        add(table, "alexandra", "alex", "sasha", "sandra");
        add(table, "andrew", "andy", "drew");
        add(table, "edward", "ed", "eddie", "ted", "ned");
        add(table, "charles", "charlie", "chuck");
        add(table, "margaret", "maggie", "meg", "peggy", "marge");
        add(table, "jennifer", "jen", "jenny");
        add(table, "susan", "sue", "susie");
        add(table, "patricia", "pat", "patty", "tricia");
        add(table, "patrick", "pat", "paddy");
        add(table, "jonathan", "jon");
        add(table, "timothy", "tim", "timmy");
        add(table, "rebecca", "becky", "becca");
        add(table, "deborah", "debbie", "deb");
        add(table, "victoria", "vicky", "tori");
        add(table, "manuel", "manolo", "manu");
        add(table, "dolores", "lola");
        add(table, "concepcion", "concha", "conchi");
        add(table, "guadalupe", "lupe");
        add(table, "ignacio", "nacho");
        add(table, "enrique", "quique");
        add(table, "rosario", "charo");
        add(table, "josemaria", "chema");
        add(table, "jesus", "chucho", "chus");
        add(table, "eduardo", "edu", "lalo");
        add(table, "alejandro", "alex", "alejo");
        add(table, "fernando", "nando", "fer");
        add(table, "guillermo", "memo", "guille");
        return Map.copyOf(table);
    }

    private static void add(Map<String, Set<String>> table, String canonical, String... shortForms) {
        for (String shortForm : shortForms) {
            table.computeIfAbsent(shortForm, k -> new TreeSet<>()).add(canonical);
        }
    }
}

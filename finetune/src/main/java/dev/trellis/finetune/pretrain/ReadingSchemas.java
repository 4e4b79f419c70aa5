package dev.trellis.finetune.pretrain;

import dev.trellis.finetune.pretrain.RecordSchema.Field;
import dev.trellis.finetune.pretrain.RecordSchema.Kind;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;

/**
 * The record kinds of the reading corpus: eleven schemas with made-up names (syllables and word pools
 * of our own), random ids, numbers, prices and dates. Every value is drawn at random, so an answer can
 * only be read from the context, never remembered.
 */
public final class ReadingSchemas {

    private ReadingSchemas() {
    }

    private static final String[] ONSETS = {"b", "br", "c", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p",
            "pr", "r", "s", "st", "t", "tr", "v", "w", "z", "th", "sh", "cl", "fl", "qu"};
    private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"};
    private static final String[] CODAS = {"", "", "n", "r", "l", "s", "th", "m", "nd", "rk", "st", "x", "v"};
    private static final String[] ADJECTIVES = {"Amber", "Silent", "Hollow", "Crimson", "Quiet", "Bright", "Distant",
            "Iron", "Paper", "Velvet", "Hidden", "Golden", "Broken", "Wandering", "Frozen", "Lucky", "Salt", "Copper",
            "Painted", "Last", "Burning", "Glass", "Wild", "Northern", "Patient", "Restless", "Lantern", "Winter", "Jade",
            "Scarlet", "Little", "Crooked", "Tidal", "Marble", "Ashen", "Electric", "Drifting", "Secret", "Stone"};
    private static final String[] NOUNS = {"Harbor", "Orchard", "Compass", "Garden", "River", "Lantern", "Kingdom",
            "Letter", "Mirror", "Bridge", "Forest", "Clockwork", "Engine", "Island", "Meadow", "Archive", "Comet",
            "Signal", "Tower", "Sparrow", "Shore", "Atlas", "Furnace", "Cathedral", "Canyon", "Voyage", "Theory",
            "Machine", "Ledger", "Window", "Feather", "Orbit", "Citadel", "Horizon", "Quarry", "Anthem", "Market"};
    private static final String[] COLORS = {"black", "white", "red", "blue", "green", "yellow", "orange", "purple", "grey",
            "brown", "teal", "silver", "gold", "pink", "olive", "maroon", "cream", "indigo", "coral", "mint"};
    private static final String[] MATERIALS = {"aluminium", "steel", "oak", "walnut", "bamboo", "ceramic", "glass",
            "carbon fibre", "canvas", "leather", "wool felt", "polycarbonate", "titanium", "cork", "linen", "brass",
            "recycled plastic", "waxed cotton", "nylon webbing", "birch plywood"};

    static String syllables(Random r, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(ONSETS[r.nextInt(ONSETS.length)]).append(VOWELS[r.nextInt(VOWELS.length)]);
            if (i == n - 1 || r.nextInt(3) == 0) {
                sb.append(CODAS[r.nextInt(CODAS.length)]);
            }
        }
        return capitalize(sb.toString());
    }

    static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    static String person(Random r) {
        return syllables(r, 1 + r.nextInt(2)) + " " + syllables(r, 1 + r.nextInt(3));
    }

    static String place(Random r) {
        String base = syllables(r, 2 + r.nextInt(2));
        return switch (r.nextInt(5)) {
            case 0 -> base + pick(r, "ton", "ville", "burg", "ford", "mouth", "dale");
            case 1 -> pick(r, "Port ", "New ", "East ", "West ", "Lake ", "Fort ") + base;
            default -> base;
        };
    }

    static String title(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> "The " + pick(r, ADJECTIVES) + " " + pick(r, NOUNS);
            case 1 -> pick(r, NOUNS) + " of " + syllables(r, 2);
            case 2 -> "The " + pick(r, NOUNS) + " at " + place(r);
            default -> pick(r, ADJECTIVES) + " " + pick(r, NOUNS) + "s";
        };
    }

    static String price(Random r, int min, int max) {
        int cents = pick(r, "00", "50", "95", "99", "25", "75").equals("00") ? 0 : r.nextInt(100);
        return String.format(Locale.ROOT, "%d.%02d", min + r.nextInt(max - min + 1), cents);
    }

    static String date(Random r, int fromYear, int toYear) {
        return String.format(Locale.ROOT, "%d-%02d-%02d", fromYear + r.nextInt(toYear - fromYear + 1), 1 + r.nextInt(12),
                1 + r.nextInt(28));
    }

    static Function<Random, String> number(int min, int max) {
        return r -> Integer.toString(min + r.nextInt(max - min + 1));
    }

    static Function<Random, String> oneOf(String... values) {
        return r -> values[r.nextInt(values.length)];
    }

    private static Field category(String key, Function<Random, String> values, List<String> asks, String reverse,
                                  String describe) {
        return new Field(key, Kind.CATEGORY, values, asks, reverse, null, null, describe);
    }

    private static Field text(String key, Function<Random, String> values, List<String> asks, String reverse, String describe) {
        return new Field(key, Kind.TEXT, values, asks, reverse, null, null, describe);
    }

    private static Field number(String key, Function<Random, String> values, List<String> asks, String more, String less,
                                String describe) {
        return new Field(key, Kind.NUMBER, values, asks, null, more, less, describe);
    }

    private static Field rating(String acronym, Function<Random, String> values, List<String> asks, String describe) {
        return new Field(acronym, Kind.RATING, values, asks, null, null, null, describe);
    }

    private static Field price(int min, int max, String more, String less) {
        return new Field("price", Kind.PRICE, r -> price(r, min, max),
                List.of("How much does {name} cost?", "What is the price of {name}?", "What does {name} sell for?"),
                null, more, less, "{Name} costs {value}.");
    }

    private static Field date(String key, int from, int to, List<String> asks, String more, String less, String describe) {
        return new Field(key, Kind.DATE, r -> date(r, from, to), asks, null, more, less, describe);
    }

    /** The schemas without their acronym ratings: version 1 of the corpus, which had none. */
    static List<RecordSchema> withoutRatings(List<RecordSchema> schemas) {
        return schemas.stream().map(s -> new RecordSchema(s.noun(), s.plural(), s.article(), s.idPrefixes(), s.names(),
                s.fields().stream().filter(f -> f.kind() != Kind.RATING).toList())).toList();
    }

    /** All schemas, in a fixed order (the corpus seed picks among them). */
    public static final List<RecordSchema> ALL = List.of(
            new RecordSchema("book", "books", "", List.of("BK", "BOOK", "ISBN", "LIB"), ReadingSchemas::title, List.of(
                    text("author", ReadingSchemas::person, List.of("Who wrote {name}?", "Who is the author of {name}?"),
                            "Which book was written by {value}?", "{Name} was written by {value}."),
                    category("genre", oneOf("mystery", "poetry", "history", "science fiction", "biography", "romance",
                                    "cookery", "travel", "fantasy", "philosophy"),
                            List.of("What genre is {name}?", "Which genre does {name} belong to?"),
                            "Which book is a {value} book?", "{Name} is a {value} book."),
                    number("pages", number(80, 900), List.of("How many pages does {name} have?"),
                            "Which book has more pages, {a} or {b}?", "Which book has fewer pages, {a} or {b}?",
                            "{Name} has {value} pages."),
                    number("year", number(1890, 2024), List.of("When was {name} published?", "In which year was {name} published?"),
                            "Which book was published later, {a} or {b}?", "Which book was published earlier, {a} or {b}?",
                            "{Name} was published in {value}."),
                    price(6, 60, "Which book is more expensive, {a} or {b}?", "Which book is cheaper, {a} or {b}?"))),
            new RecordSchema("person", "people", "", List.of("EMP", "P", "USR", "ST"), ReadingSchemas::person, List.of(
                    category("city", r -> place(r), List.of("Where does {name} live?", "Which city does {name} live in?"),
                            "Who lives in {value}?", "{Name} lives in {value}."),
                    number("age", number(18, 90), List.of("How old is {name}?"), "Who is older, {a} or {b}?",
                            "Who is younger, {a} or {b}?", "{Name} is {value} years old."),
                    category("job", oneOf("nurse", "carpenter", "teacher", "pilot", "chemist", "baker", "lawyer",
                                    "gardener", "architect", "plumber", "librarian", "welder"),
                            List.of("What does {name} do for a living?", "What is the job of {name}?"), "Who works as a {value}?",
                            "{Name} works as a {value}."),
                    text("email", r -> syllables(r, 2).toLowerCase(Locale.ROOT) + r.nextInt(100) + "@"
                                    + syllables(r, 2).toLowerCase(Locale.ROOT) + pick(r, ".com", ".org", ".net"),
                            List.of("What is the email address of {name}?"), "Whose email address is {value}?",
                            "{Name} can be reached at {value}."),
                    date("joined", 1995, 2025, List.of("When did {name} join?"), "Who joined later, {a} or {b}?",
                            "Who joined earlier, {a} or {b}?", "{Name} joined on {value}."))),
            new RecordSchema("city", "cities", "", List.of("CT", "LOC", "GEO"), ReadingSchemas::place, List.of(
                    category("country", r -> syllables(r, 2) + pick(r, "ia", "land", "stan", "ar", ""),
                            List.of("Which country is {name} in?", "In which country is {name}?"), "Which city is in {value}?",
                            "{Name} lies in {value}."),
                    number("population", r -> Integer.toString(1000 + r.nextInt(2_000_000)),
                            List.of("What is the population of {name}?", "How many people live in {name}?"),
                            "Which city has more people, {a} or {b}?", "Which city has fewer people, {a} or {b}?",
                            "{Name} has a population of {value}."),
                    number("elevation", r -> r.nextInt(3200) + " m", List.of("How high is {name}?", "What is the elevation of {name}?"),
                            "Which city is higher, {a} or {b}?", "Which city is lower, {a} or {b}?",
                            "{Name} sits at an elevation of {value}."),
                    number("founded", number(800, 1990), List.of("When was {name} founded?"),
                            "Which city was founded later, {a} or {b}?", "Which city is older, {a} or {b}?",
                            "{Name} was founded in {value}."),
                    rating("aqi", r -> r.nextInt(4) == 0 ? "none" : Integer.toString(5 + r.nextInt(180)),
                            List.of("What AQI rating does {name} have?", "How clean is the air in {name}?",
                                    "What is the air quality of {name}?"), "Air quality in {name}: {value}."))),
            new RecordSchema("flight", "flights", "", List.of("FL", "AX", "QK", "NV", "ZB"), r -> pick(r, "AX", "QK", "NV", "ZB",
                    "LM", "OE") + " " + (100 + r.nextInt(9000)), List.of(
                    category("from", ReadingSchemas::place, List.of("Where does flight {name} depart from?",
                            "What is the origin of flight {name}?"), "Which flight departs from {value}?",
                            "Flight {name} departs from {value}."),
                    category("to", ReadingSchemas::place, List.of("Where does flight {name} go?", "What is the destination of flight {name}?"),
                            "Which flight goes to {value}?", "Flight {name} flies to {value}."),
                    text("departure", r -> String.format(Locale.ROOT, "%02d:%02d", r.nextInt(24), 5 * r.nextInt(12)),
                            List.of("When does flight {name} depart?", "What time does flight {name} leave?"),
                            "Which flight departs at {value}?", "Flight {name} leaves at {value}."),
                    category("gate", r -> (char) ('A' + r.nextInt(6)) + Integer.toString(1 + r.nextInt(40)),
                            List.of("Which gate does flight {name} board at?"), "Which flight boards at gate {value}?",
                            "Flight {name} boards at gate {value}."),
                    price(40, 900, "Which flight is more expensive, {a} or {b}?", "Which flight is cheaper, {a} or {b}?"))),
            new RecordSchema("recipe", "recipes", "the ", List.of("RC", "REC", "DISH"), r -> pick(r, ADJECTIVES) + " "
                    + pick(r, "Lentil Soup", "Noodle Bowl", "Pie", "Flatbread", "Curry", "Salad", "Stew", "Risotto", "Tart",
                    "Dumplings", "Pancakes", "Chili"), List.of(
                    number("minutes", number(5, 240), List.of("How long does {name} take?", "How many minutes does {name} take?"),
                            "Which recipe takes longer, {a} or {b}?", "Which recipe is quicker, {a} or {b}?",
                            "{Name} takes {value} minutes."),
                    number("servings", number(1, 12), List.of("How many servings does {name} make?"),
                            "Which recipe makes more servings, {a} or {b}?", "Which recipe makes fewer servings, {a} or {b}?",
                            "{Name} serves {value}."),
                    category("cuisine", oneOf("Thai", "Mexican", "Italian", "Ethiopian", "Korean", "Greek", "Peruvian",
                                    "Lebanese", "Japanese", "Georgian"),
                            List.of("What cuisine is {name}?", "Which cuisine does {name} come from?"),
                            "Which recipe is {value}?", "{Name} is a {value} dish."),
                    category("difficulty", oneOf("easy", "medium", "hard"), List.of("How difficult is {name}?"),
                            "Which recipe is {value}?", "{Name} is {value} to make."),
                    number("calories", number(90, 1400), List.of("How many calories does {name} have?"),
                            "Which recipe has more calories, {a} or {b}?", "Which recipe has fewer calories, {a} or {b}?",
                            "{Name} has {value} calories per serving."))),
            new RecordSchema("device", "devices", "the ", List.of("DV", "SKU", "HW", "EL"), r -> syllables(r, 2) + " "
                    + pick(r, "Router", "Speaker", "Tablet", "Camera", "Thermostat", "Headset", "Monitor", "Drone",
                    "Keyboard", "Projector") + " " + pick(r, "X", "S", "Pro", "Mini", "2", "3", "Max", "Lite"), List.of(
                    category("brand", r -> syllables(r, 2), List.of("Which brand makes {name}?", "Who makes {name}?"),
                            "Which device is made by {value}?", "{Name} is made by {value}."),
                    number("battery", r -> (1 + r.nextInt(40)) + " h", List.of("How long does the battery of {name} last?"),
                            "Which device has a longer battery life, {a} or {b}?",
                            "Which device has a shorter battery life, {a} or {b}?", "The battery of {name} lasts {value}."),
                    number("weight", r -> (50 + r.nextInt(3000)) + " g", List.of("How much does {name} weigh?"),
                            "Which device is heavier, {a} or {b}?", "Which device is lighter, {a} or {b}?",
                            "{Name} weighs {value}."),
                    category("color", oneOf(COLORS), List.of("What color is {name}?", "Which color does {name} come in?"),
                            "Which device comes in {value}?", "{Name} comes in {value}."),
                    number("warranty", r -> (1 + r.nextInt(5)) + " years", List.of("How long is the warranty on {name}?"),
                            null, null, "{Name} has a warranty of {value}."),
                    rating("ipx", oneOf("none", "none", "4", "5", "6", "7", "8"), List.of("What IPX rating does {name} have?",
                            "How water resistant is {name}?", "What is the IPX rating of {name}?"),
                            "Water resistance of {name}: {value}."),
                    price(15, 1800, "Which device costs more, {a} or {b}?", "Which device is cheaper, {a} or {b}?"))),
            new RecordSchema("invoice", "invoices", "invoice ", List.of("INV", "IN", "BILL"), r -> String.format(Locale.ROOT,
                    "%s-%05d", pick(r, "INV", "IN", "BILL"), r.nextInt(100000)), List.of(
                    text("customer", r -> syllables(r, 2) + " " + pick(r, "Ltd", "Inc", "GmbH", "and Sons", "Co-op", "Studio"),
                            List.of("Who is {name} billed to?", "Which customer is {name} for?"),
                            "Which invoice is billed to {value}?", "Invoice {name} is billed to {value}."),
                    new Field("amount", Kind.PRICE, r -> price(r, 20, 9000), List.of("What is the amount of {name}?",
                            "How much is {name} for?"), null, "Which invoice is for more, {a} or {b}?",
                            "Which invoice is for less, {a} or {b}?", "Invoice {name} is for {value}."),
                    date("due", 2019, 2027, List.of("When is {name} due?", "What is the due date of {name}?"),
                            "Which invoice is due later, {a} or {b}?", "Which invoice is due sooner, {a} or {b}?",
                            "Invoice {name} is due on {value}."),
                    category("status", oneOf("paid", "unpaid", "overdue", "disputed"), List.of("What is the status of {name}?"),
                            "Which invoice is {value}?", "Invoice {name} is {value}."))),
            new RecordSchema("course", "courses", "", List.of("CS", "MATH", "BIO", "HIST", "ENG"), r -> pick(r, "Intro to ",
                    "Advanced ", "Applied ", "Topics in ", "Foundations of ") + pick(r, "Algebra", "Ecology", "Ceramics",
                    "Astronomy", "Linguistics", "Economics", "Robotics", "Poetry", "Statistics", "Geology", "Music Theory"), List.of(
                    text("teacher", ReadingSchemas::person, List.of("Who teaches {name}?", "Who is the teacher of {name}?"),
                            "Which course is taught by {value}?", "{Name} is taught by {value}."),
                    number("credits", number(1, 8), List.of("How many credits is {name} worth?"),
                            "Which course is worth more credits, {a} or {b}?", "Which course is worth fewer credits, {a} or {b}?",
                            "{Name} is worth {value} credits."),
                    category("room", r -> pick(r, "Hall ", "Room ", "Lab ") + (1 + r.nextInt(400)),
                            List.of("Where is {name} held?", "Which room is {name} in?"), "Which course is held in {value}?",
                            "{Name} meets in {value}."),
                    category("day", oneOf("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"),
                            List.of("On which day is {name}?", "What day does {name} meet?"), "Which course meets on {value}?",
                            "{Name} meets on {value}."),
                    number("seats", number(8, 300), List.of("How many seats does {name} have?"),
                            "Which course has more seats, {a} or {b}?", "Which course has fewer seats, {a} or {b}?",
                            "{Name} has {value} seats."))),
            new RecordSchema("hotel", "hotels", "the ", List.of("HT", "HOT", "STAY"), r -> pick(r, "Hotel ", "Inn at ",
                    "") + syllables(r, 2) + pick(r, " Lodge", " House", " Suites", "", " Grand"), List.of(
                    category("city", ReadingSchemas::place, List.of("Which city is {name} in?", "Where is {name}?"),
                            "Which hotel is in {value}?", "{Name} is in {value}."),
                    number("stars", number(1, 5), List.of("How many stars does {name} have?", "What is the star rating of {name}?"),
                            "Which hotel has more stars, {a} or {b}?", "Which hotel has fewer stars, {a} or {b}?",
                            "{Name} is a {value}-star hotel."),
                    number("rooms", number(4, 800), List.of("How many rooms does {name} have?"),
                            "Which hotel has more rooms, {a} or {b}?", "Which hotel has fewer rooms, {a} or {b}?",
                            "{Name} has {value} rooms."),
                    category("breakfast", oneOf("included", "extra", "none"), List.of("Is breakfast included at {name}?"),
                            null, "Breakfast at {name}: {value}."),
                    new Field("rate", Kind.PRICE, r -> price(r, 45, 950), List.of("How much is a night at {name}?",
                            "What is the nightly rate of {name}?"), null, "Which hotel is more expensive, {a} or {b}?",
                            "Which hotel is cheaper, {a} or {b}?", "A night at {name} costs {value}."))),
            new RecordSchema("plant", "plants", "the ", List.of("PL", "HB", "SEED"), r -> syllables(r, 2) + " "
                    + pick(r, "Fern", "Lily", "Moss", "Rose", "Sage", "Palm", "Ivy", "Orchid", "Cactus", "Thistle", "Willow"), List.of(
                    category("light", oneOf("full sun", "partial shade", "full shade", "bright indirect"),
                            List.of("How much light does {name} need?", "What light does {name} like?"),
                            "Which plant needs {value}?", "{Name} grows best in {value}."),
                    number("height", r -> (5 + r.nextInt(600)) + " cm", List.of("How tall does {name} grow?"),
                            "Which plant grows taller, {a} or {b}?", "Which plant stays shorter, {a} or {b}?",
                            "{Name} grows to {value}."),
                    category("watering", oneOf("daily", "weekly", "twice a week", "monthly"),
                            List.of("How often should {name} be watered?"), "Which plant is watered {value}?",
                            "Water {name} {value}."),
                    category("origin", r -> place(r), List.of("Where does {name} come from?", "What is the origin of {name}?"),
                            "Which plant comes from {value}?", "{Name} comes from {value}."),
                    price(3, 120, "Which plant costs more, {a} or {b}?", "Which plant is cheaper, {a} or {b}?"))),
            new RecordSchema("item", "items", "the ", List.of("GR", "EQ", "KIT", "OG"), r -> syllables(r, 2) + " "
                    + pick(r, ADJECTIVES) + " {category} in {color}", List.of(
                    category("category", oneOf("Backpack", "Tent", "Sleeping Bag", "Headlamp", "Stove", "Trekking Poles",
                                    "Water Filter", "Hammock", "Cooler", "Daypack", "Duffel"),
                            List.of("What kind of item is {name}?"), null, "{Name} is a {value}."),
                    category("brand", r -> syllables(r, 2), List.of("Which brand is {name} from?", "Which brand makes {name}?"),
                            "Which item is from {value}?", "{Name} is from {value}."),
                    category("material", oneOf(MATERIALS), List.of("What is {name} made of?", "Which material is {name} made from?"),
                            "Which item is made of {value}?", "{Name} is made of {value}."),
                    category("color", oneOf(COLORS), List.of("What color is {name}?"), "Which item comes in {value}?",
                            "{Name} comes in {value}."),
                    number("pockets", number(0, 9), List.of("How many pockets does {name} have?", "How many pockets are on {name}?"),
                            "Which item has more pockets, {a} or {b}?", "Which item has fewer pockets, {a} or {b}?",
                            "{Name} has {value} pockets."),
                    category("rating", oneOf("none", "IPX4", "IPX6", "IPX7", "3-season", "4-season"),
                            List.of("What rating does {name} have?"), null, "{Name} is rated {value}."),
                    rating("upf", oneOf("none", "15", "25", "30", "40", "50", "50+"), List.of("What UPF rating does {name} have?",
                            "How much sun protection does {name} give?", "What is the UPF of {name}?"),
                            "Sun protection of {name}: {value}."),
                    price(9, 700, "Which item costs more, {a} or {b}?", "Which item is cheaper, {a} or {b}?"))));
}

package dev.trellis.samples.data;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Writes the sample outdoor-clothing catalogue ({@code catalog.csv}) from a seed.
 *
 * <p>Every product is a unique combination of collection, category and colour, so a question that
 * names those three (plus its UPF rating and pocket count) has exactly one answer. The same seed
 * always yields the same bytes: {@link java.util.Random} is specified to be deterministic, numbers
 * are formatted with {@link Locale#ROOT} and lines end with {@code \n}.
 *
 * <p>Run {@code main} to regenerate the file shipped in {@code samples/src/main/resources/data}.
 */
public final class CatalogGenerator {

    /** The seed the shipped catalogue was generated with. */
    public static final long DEFAULT_SEED = 20240601L;
    /** Number of products in the shipped catalogue. */
    public static final int DEFAULT_SIZE = 1000;
    /** Column order of the CSV file. */
    public static final List<String> COLUMNS = List.of(
            "id", "name", "description", "category", "collection", "fabric", "color", "upf", "pockets", "price");

    private enum Kind { TOP, BOTTOM, HEAD }

    private record Category(String noun, Kind kind, int minPrice, int maxPrice, int maxPockets, boolean sunWear,
                            String sizes) {
    }

    private static final List<Category> CATEGORIES = List.of(
            new Category("Rain Jacket", Kind.TOP, 120, 320, 5, false, "XS-XXL"),
            new Category("Rain Pants", Kind.BOTTOM, 80, 190, 3, false, "XS-XXL"),
            new Category("Insulated Parka", Kind.TOP, 220, 480, 6, false, "XS-XXL"),
            new Category("Softshell Jacket", Kind.TOP, 110, 260, 5, false, "S-XXL"),
            new Category("Windbreaker", Kind.TOP, 60, 150, 3, false, "XS-XL"),
            new Category("Fleece Pullover", Kind.TOP, 50, 130, 3, false, "XS-XXL"),
            new Category("Hoodie", Kind.TOP, 45, 110, 2, false, "XS-XXXL"),
            new Category("Down Vest", Kind.TOP, 90, 210, 4, false, "S-XXL"),
            new Category("Hiking Pants", Kind.BOTTOM, 60, 150, 8, true, "28-40 waist, 30 and 32 inseam"),
            new Category("Convertible Pants", Kind.BOTTOM, 70, 160, 8, true, "28-40 waist, 30 and 32 inseam"),
            new Category("Trail Shorts", Kind.BOTTOM, 35, 85, 6, true, "28-40 waist, 7 inch inseam"),
            new Category("Cargo Shorts", Kind.BOTTOM, 40, 90, 8, true, "28-42 waist, 9 inch inseam"),
            new Category("Sun Shirt", Kind.TOP, 40, 95, 4, true, "XS-XXL"),
            new Category("Button-Up Fishing Shirt", Kind.TOP, 55, 120, 6, true, "S-XXL"),
            new Category("Base Layer Top", Kind.TOP, 45, 120, 0, false, "XS-XL"),
            new Category("Base Layer Leggings", Kind.BOTTOM, 45, 110, 1, false, "XS-XL"),
            new Category("Sun Hat", Kind.HEAD, 25, 70, 1, true, "S/M and L/XL"),
            new Category("Trucker Cap", Kind.HEAD, 20, 45, 0, true, "One size, adjustable"),
            new Category("Beanie", Kind.HEAD, 18, 45, 0, false, "One size"),
            new Category("Hiking Dress", Kind.TOP, 60, 130, 3, true, "XS-XL"));

    private static final List<String> COLLECTIONS = List.of(
            "Ridgeline", "Tidewater", "Summit Trail", "Canyon Drift", "Alder Creek", "Northwind", "Basalt",
            "Meadowlark", "Granite Pass", "Saltmarsh", "Coyote Mesa", "Glacier Bay", "Pinecrest", "Red Rock",
            "Driftwood", "Aspen Hollow", "Stormcrest", "Sagebrush", "Larkspur", "Ironwood");

    private static final List<String> COLORS = List.of(
            "slate grey", "forest green", "burnt orange", "navy", "sand", "charcoal", "ochre", "glacier blue",
            "moss", "crimson", "black", "sky blue");

    private static final List<String> MODELS = List.of(
            "Switchback", "Trailhead", "Cairn", "Headwall", "Scree", "Bivouac", "Tarn", "Cornice", "Talus",
            "Arroyo", "Fjord", "Sidecountry", "Portage", "Flatwater", "Outrigger", "Ember", "Solstice", "Gale",
            "Hollow", "Traverse");

    private static final List<String> FABRICS = List.of(
            "recycled nylon ripstop", "merino wool jersey", "organic cotton canvas", "recycled polyester fleece",
            "three-layer waterproof laminate", "hemp and cotton twill", "bamboo viscose knit",
            "stretch nylon with elastane", "Tencel lyocell blend", "waxed cotton", "recycled polyester microfiber",
            "brushed cotton flannel", "alpaca wool blend", "Cordura nylon", "cotton seersucker");

    private static final List<String> FITS = List.of("relaxed", "regular", "trim", "athletic", "roomy");

    private static final List<String> TOP_FEATURES = List.of(
            "an adjustable storm hood", "underarm pit zips", "reflective trim for dusk", "thumb loops at the cuffs",
            "a drop-tail hem", "a soft chin guard", "a removable sun cape", "flatlock seams that do not chafe",
            "a two-way front zip", "an elastic drawcord hem", "roll-up sleeve tabs", "mesh-lined vents across the back",
            "an odor-resistant finish");
    private static final List<String> BOTTOM_FEATURES = List.of(
            "articulated knees", "a gusseted crotch for climbing", "reflective trim for dusk",
            "flatlock seams that do not chafe", "an odor-resistant finish", "cinch straps at the ankles",
            "a stretch waistband with a hidden drawcord", "reinforced seat panels", "zippered ankle vents");
    private static final List<String> HEAD_FEATURES = List.of(
            "a brim stiffened with recycled plastic", "a sweat-wicking headband", "a breakaway chin strap",
            "reflective trim for dusk", "an odor-resistant finish", "a mesh crown for airflow", "a packable crown");
    private static final List<String> POCKET_FEATURES = List.of(
            "a stowaway pocket it packs into", "a key clip inside one pocket", "a media port for earbuds");

    private static final List<String> CARE = List.of(
            "machine wash cold and tumble dry low", "hand wash and lay flat to dry", "machine wash warm and line dry",
            "spot clean only", "machine wash cold without fabric softener", "wash on a gentle cycle and hang to dry");

    private static final List<String> UPF_FOR_SUN_WEAR = List.of("50+", "50+", "50", "40", "30");
    private static final List<String> UPF_OTHER = List.of("none", "none", "15", "30", "50+");

    private CatalogGenerator() {
    }

    /** Returns the catalogue as CSV text (header first), generated from {@code seed}. */
    public static String generate(long seed, int size) {
        int combinations = CATEGORIES.size() * COLLECTIONS.size() * COLORS.size();
        if (size < 1 || size > combinations) {
            throw new IllegalArgumentException("catalogue size " + size + " is out of range: choose 1.." + combinations
                    + " (one product per collection, category and colour)");
        }
        Random random = new Random(seed);
        Set<String> used = new HashSet<>();
        Set<String> names = new HashSet<>();
        StringBuilder out = new StringBuilder();
        CSVFormat format = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();
        try (CSVPrinter printer = new CSVPrinter(out, format)) {
            printer.printRecord(COLUMNS);
            for (int i = 0; i < size; i++) {
                Category category;
                String collection;
                String color;
                do {
                    category = pick(random, CATEGORIES);
                    collection = pick(random, COLLECTIONS);
                    color = pick(random, COLORS);
                } while (!used.add(category.noun() + "|" + collection + "|" + color));
                String model = pick(random, MODELS);
                String name = collection + " " + model + " " + category.noun() + " in " + capitalize(color);
                if (!names.add(name)) {
                    throw new IllegalStateException("duplicate product name " + name); // impossible: colour+collection+category are unique
                }
                String fabric = pick(random, FABRICS);
                String upf = pick(random, category.sunWear() ? UPF_FOR_SUN_WEAR : UPF_OTHER);
                int pockets = category.maxPockets() == 0 ? 0 : random.nextInt(category.maxPockets() + 1);
                double price = category.minPrice() + random.nextInt(category.maxPrice() - category.minPrice() + 1)
                        + pick(random, List.of(0.0, 0.5, 0.95));
                String priceText = String.format(Locale.ROOT, "%.2f", price);
                List<String> features = new ArrayList<>(switch (category.kind()) {
                    case TOP -> TOP_FEATURES;
                    case BOTTOM -> BOTTOM_FEATURES;
                    case HEAD -> HEAD_FEATURES;
                });
                if (pockets > 0) {
                    features.addAll(POCKET_FEATURES);
                }
                String feature = pick(random, features);
                features.remove(feature);
                String secondFeature = pick(random, features);
                int weight = 80 + random.nextInt(900);
                String description = describe(random, name, category, collection, color, fabric, upf, pockets,
                        feature, secondFeature, weight, priceText);
                printer.printRecord(String.format(Locale.ROOT, "TR-%04d", i + 1), name, description,
                        category.noun(), collection, fabric, color, upf, pockets, priceText);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // StringBuilder never throws; kept for the checked signature
        }
        return out.toString();
    }

    private static String describe(Random random, String name, Category category, String collection, String color,
                                   String fabric, String upf, int pockets, String feature, String secondFeature,
                                   int weight, String price) {
        String noun = category.noun().toLowerCase(Locale.ROOT);
        StringBuilder d = new StringBuilder();
        d.append(name).append(": ").append(pick(random, FITS)).append("-fit ").append(noun)
                .append(" from the ").append(collection).append(" collection, made of ").append(fabric)
                .append(" in ").append(color).append(". ");
        d.append(upf.equals("none")
                ? "It has no UPF sun protection rating. "
                : "It is rated UPF " + upf + " for sun protection. ");
        d.append(switch (pockets) {
            case 0 -> "No pockets";
            case 1 -> "1 pocket";
            default -> pockets + " pockets";
        }).append(", plus ").append(feature).append(" and ").append(secondFeature).append(". ");
        d.append("Weighs ").append(weight).append(" g; sizes ").append(category.sizes()).append(". ");
        d.append("Care: ").append(pick(random, CARE)).append(". ");
        if (random.nextInt(4) == 0) {
            // Some rows carry a quoted tagline, so the file exercises doubled quotes in a CSV parser.
            d.append("Staff pick: \"").append(pick(random, List.of("our go-to for long days out",
                    "surprisingly tough", "light enough to forget", "the one we pack first"))).append("\". ");
        }
        d.append("Price $").append(price).append('.');
        return d.toString();
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String capitalize(String words) {
        StringBuilder b = new StringBuilder();
        for (String w : words.split(" ")) {
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
        }
        return b.toString();
    }

    /** Writes the catalogue to {@code target} atomically (temp file, fsync, rename). */
    public static void write(Path target, long seed, int size) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temp, generate(seed, size), StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** {@code CatalogGenerator [path] [seed] [size]}: regenerates the catalogue file. */
    public static void main(String[] args) throws IOException {
        Path path = Path.of(args.length > 0 ? args[0] : "samples/src/main/resources/data/catalog.csv");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : DEFAULT_SEED;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_SIZE;
        write(path, seed, size);
        System.out.println("wrote " + size + " products to " + path);
    }
}

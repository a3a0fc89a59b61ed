package dev.operator.sks.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts each generated CRD's {@code additionalPrinterColumns} in the order the API class declares them: the fabric8 CRD
 * generator sorts them by JSON path (fabric8io/kubernetes-client#7454), and kubectl prints columns in CRD order, so
 * without this {@code kubectl get skc} would start with AGE. Runs in the build right after the generator (see
 * operator/pom.xml) and only permutes the list's items, leaving the rest of the generator's output as it is.
 */
public final class PrinterColumnOrder {
    static final List<Class<? extends HasMetadata>> RESOURCES =
            List.of(SKSCluster.class, Nodepool.class, KubeconfigRequest.class, InstancePool.class);
    private static final String LIST_START = "  - additionalPrinterColumns:";
    private static final String ITEM_START = "    - ";
    private static final String ITEM_CONTINUATION = "      ";
    private static final Pattern ITEM_NAME = Pattern.compile("^\\s+(?:- )?name: \"?([^\"]*)\"?$");

    private PrinterColumnOrder() {}

    /** @param args the directory the generator wrote the CRDs to */
    public static void main(String[] args) throws IOException {
        Path directory = Path.of(args[0]);
        for (Class<? extends HasMetadata> resource : RESOURCES) {
            Path crd = directory.resolve(
                    HasMetadata.getPlural(resource) + "." + HasMetadata.getGroup(resource) + "-v1.yml");
            String generated = Files.readString(crd, StandardCharsets.UTF_8);
            Files.writeString(crd, reorder(generated, declaredOrder(resource)), StandardCharsets.UTF_8);
        }
    }

    /** The column names in the order the class declares its {@link AdditionalPrinterColumn} annotations. */
    static List<String> declaredOrder(Class<?> resource) {
        return Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name)
                .toList();
    }

    /**
     * {@code crdYaml} with the items of every {@code additionalPrinterColumns} list sorted by their position in
     * {@code order}; columns not named there keep their place after the named ones.
     */
    static String reorder(String crdYaml, List<String> order) {
        List<String> lines = List.of(crdYaml.split("\n", -1));
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++);
            out.add(line);
            if (!line.equals(LIST_START)) {
                continue;
            }
            List<List<String>> items = new ArrayList<>();
            while (i < lines.size()
                    && (lines.get(i).startsWith(ITEM_START) || lines.get(i).startsWith(ITEM_CONTINUATION))) {
                if (lines.get(i).startsWith(ITEM_START)) {
                    items.add(new ArrayList<>());
                }
                items.get(items.size() - 1).add(lines.get(i++));
            }
            items.sort(Comparator.comparingInt(item -> position(order, nameOf(item))));
            items.forEach(out::addAll);
        }
        return String.join("\n", out);
    }

    private static int position(List<String> order, String name) {
        int position = order.indexOf(name);
        return position < 0 ? order.size() : position;
    }

    private static String nameOf(List<String> item) {
        for (String line : item) {
            Matcher name = ITEM_NAME.matcher(line);
            if (name.matches()) {
                return name.group(1);
            }
        }
        throw new IllegalArgumentException("a printer column without a name: " + item);
    }
}

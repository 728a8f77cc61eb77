package org.e2echat.gateway.api;

import static io.restassured.RestAssured.given;

/** Reads one series from the gateway's Prometheus endpoint. */
final class Metrics {

    private Metrics() {
    }

    /** The sum of {@code name}'s samples whose labels contain {@code label} (e.g. {@code code="1013"}); 0 when none. */
    static double value(String name, String label) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                String labels = line.contains("{") ? line.substring(line.indexOf('{'), line.indexOf('}') + 1) : "";
                if (labels.contains(label)) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return sum;
    }
}

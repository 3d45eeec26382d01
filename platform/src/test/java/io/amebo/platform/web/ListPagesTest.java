package io.amebo.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.web.reactive.function.server.MockServerRequest;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.EntityResponse;
import org.springframework.web.reactive.function.server.ServerResponse;

class ListPagesTest {

    @Test
    void theNextPageKeepsEveryFilterPercentEncodedAndReplacesThePaging() {
        MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
        query.add("subscription", "welcome emails");
        query.add("from", "2026-01-01T01:00:00+01:00");
        query.add("action", "user.created&x=y");
        query.add("page", "3");
        query.add("limit", "2");

        assertThat(ListPages.nextLink("/v1/gists", query, 4, 2))
                .isEqualTo("/v1/gists?subscription=welcome%20emails&from=2026-01-01T01%3A00%3A00%2B01%3A00"
                        + "&action=user.created%26x%3Dy&page=4&pagination=2");
    }

    @Test
    void aParameterWithoutAValueStaysWithoutOne() {
        MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
        query.put("flag", Arrays.asList((String) null));

        assertThat(ListPages.nextLink("/v1/applications", query, 2, 15))
                .isEqualTo("/v1/applications?flag&page=2&pagination=15");
    }

    @Test
    void answersOnePageAndLinksTheNextOnlyWhenMoreThanAPageWasFetched() {
        MockServerRequest request = MockServerRequest.builder()
                .uri(URI.create("http://localhost/v1/gists?status=dead&pagination=2"))
                .queryParam("status", "dead")
                .queryParam("pagination", "2")
                .build();

        ServerResponse more =
                ListPages.respond(request, 1, 2, List.of("a", "b", "c")).block();
        assertThat(more.headers().getFirst(HttpHeaders.LINK))
                .isEqualTo("</v1/gists?status=dead&page=2&pagination=2>; rel=\"next\"");
        assertThat(((EntityResponse<?>) more).entity()).isEqualTo(List.of("a", "b"));

        ServerResponse last =
                ListPages.respond(request, 1, 2, List.of("a", "b")).block();
        assertThat(last.headers().getFirst(HttpHeaders.LINK)).isNull();
        assertThat(((EntityResponse<?>) last).entity()).isEqualTo(List.of("a", "b"));
    }
}

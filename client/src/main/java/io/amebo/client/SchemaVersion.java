package io.amebo.client;

import tools.jackson.databind.JsonNode;

/** One version of an action's JSON Schema, as registered. */
public record SchemaVersion(String action, int version, JsonNode schemata) {}

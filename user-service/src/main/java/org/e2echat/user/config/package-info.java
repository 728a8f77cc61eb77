/** Typed configuration of user-service ({@code @ConfigMapping} interfaces). */
package org.e2echat.user.config;

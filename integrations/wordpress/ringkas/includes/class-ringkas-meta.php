<?php
/**
 * What the plugin stores with a post. Only the plugin writes it (PHP, update_post_meta): through the
 * REST API, XML-RPC or the Custom Fields box every key is read-only, for every role, so nobody can
 * plant a summary or a fingerprint that stops the summary on publish. The summary, its translation,
 * its model and its date are shown in the REST API for headless front ends; the fingerprint, the
 * error and the "do not retry" mark are not.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * Post meta keys.
 */
final class Ringkas_Meta {
	const SUMMARY     = 'ringkas_summary';
	const TRANSLATION = 'ringkas_translation';
	const MODEL       = 'ringkas_model';        // The summarizer's id and revision that wrote it.
	const MADE_AT     = 'ringkas_made_at';      // ISO 8601, UTC.
	const SOURCE_HASH = 'ringkas_source_hash';  // Of the content it was made from: a newer one is stale.
	const ERROR       = 'ringkas_error';        // The last failure as JSON {code, status, facts, at}.
	const REFUSED     = 'ringkas_refused';      // "1": the service refused the article; not resent.
	const DIGEST_SOURCES = 'ringkas_digest_sources'; // On a digest's draft: its source posts' IDs (JSON).

	const PUBLIC_KEYS = array( self::SUMMARY, self::TRANSLATION, self::MODEL, self::MADE_AT );
	const ALL_KEYS    = array( self::SUMMARY, self::TRANSLATION, self::MODEL, self::MADE_AT, self::SOURCE_HASH, self::ERROR, self::REFUSED, self::DIGEST_SOURCES );

	public static function register(): void {
		$descriptions = array(
			self::SUMMARY     => __( 'The Ringkas summary (Indonesian).', 'ringkas' ),
			self::TRANSLATION => __( 'The summary translated into English.', 'ringkas' ),
			self::MODEL       => __( 'The model and revision that wrote the summary.', 'ringkas' ),
			self::MADE_AT     => __( 'When the summary was made (UTC).', 'ringkas' ),
		);
		foreach ( Ringkas_Options::post_types() as $post_type ) {
			foreach ( self::ALL_KEYS as $key ) {
				register_post_meta(
					$post_type,
					$key,
					array(
						'type'          => 'string',
						'description'   => $descriptions[ $key ] ?? '',
						'single'        => true,
						'show_in_rest'  => isset( $descriptions[ $key ] ),
						// Nobody edits these through WordPress's editing paths: the plugin writes them.
						'auth_callback' => '__return_false',
					)
				);
			}
		}
	}

	/**
	 * Hides the keys from the Custom Fields box and its "add" form (for any post type).
	 *
	 * @param bool   $protected Whether WordPress already treats the key as protected.
	 * @param string $meta_key  The key.
	 */
	public static function is_protected( $protected, $meta_key ): bool {
		return $protected || in_array( $meta_key, self::ALL_KEYS, true );
	}
}

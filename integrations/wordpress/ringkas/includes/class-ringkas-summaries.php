<?php
/**
 * A Ringkas answer stored with its post, and read back for the editor's panel.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * Storing, staleness and the editor's words for the service's warnings.
 */
final class Ringkas_Summaries {
	/**
	 * A fingerprint of content (FNV-1a, 32 bits, over its UTF-8 bytes, trimmed): the panel computes the
	 * same in JavaScript to tell a summary made from an older version of the post.
	 *
	 * @param string $content Post content.
	 */
	public static function hash( string $content ): string {
		$hash  = 0x811c9dc5;
		$bytes = trim( $content );
		$count = strlen( $bytes );
		for ( $i = 0; $i < $count; $i++ ) {
			$hash ^= ord( $bytes[ $i ] );
			$hash  = ( $hash * 0x01000193 ) & 0xffffffff;
		}
		return sprintf( '%08x', $hash );
	}

	/**
	 * @param int    $post_id The post.
	 * @param array  $answer  The /v1/summarize answer.
	 * @param string $content The content it was made from.
	 */
	public static function store( int $post_id, array $answer, string $content ): void {
		$model = $answer['models']['summarizer'] ?? array();
		update_post_meta( $post_id, Ringkas_Meta::SUMMARY, (string) ( $answer['summary']['text'] ?? '' ) );
		update_post_meta( $post_id, Ringkas_Meta::TRANSLATION, (string) ( $answer['translation']['text'] ?? '' ) );
		update_post_meta( $post_id, Ringkas_Meta::MODEL, trim( ( $model['id'] ?? '' ) . '@' . ( $model['revision'] ?? '' ), '@' ) );
		update_post_meta( $post_id, Ringkas_Meta::MADE_AT, gmdate( 'Y-m-d\TH:i:s\Z' ) );
		update_post_meta( $post_id, Ringkas_Meta::SOURCE_HASH, self::hash( $content ) );
		delete_post_meta( $post_id, Ringkas_Meta::ERROR );
		delete_post_meta( $post_id, Ringkas_Meta::REFUSED );
	}

	/**
	 * none, fresh, stale or failed: for the Posts list and `wp ringkas status`.
	 *
	 * @param WP_Post $post The post.
	 */
	public static function state( WP_Post $post ): string {
		if ( '' !== (string) get_post_meta( $post->ID, Ringkas_Meta::SUMMARY, true ) ) {
			return self::hash( $post->post_content ) === (string) get_post_meta( $post->ID, Ringkas_Meta::SOURCE_HASH, true ) ? 'fresh' : 'stale';
		}
		return null !== Ringkas_Errors::stored( $post->ID ) ? 'failed' : 'none';
	}

	/**
	 * What the panel shows for a post.
	 *
	 * @param int   $post_id  The post.
	 * @param array $warnings The service's warnings of a fresh answer, if any.
	 */
	public static function view( int $post_id, array $warnings = array() ): array {
		$error = Ringkas_Errors::stored( $post_id );
		return array(
			'summary'     => (string) get_post_meta( $post_id, Ringkas_Meta::SUMMARY, true ),
			'translation' => (string) get_post_meta( $post_id, Ringkas_Meta::TRANSLATION, true ),
			'model'       => (string) get_post_meta( $post_id, Ringkas_Meta::MODEL, true ),
			'made_at'     => (string) get_post_meta( $post_id, Ringkas_Meta::MADE_AT, true ),
			'source_hash' => (string) get_post_meta( $post_id, Ringkas_Meta::SOURCE_HASH, true ),
			'error'       => $error ? Ringkas_Errors::view( $error ) : null,
			'queued'      => Ringkas_Publish::pending( $post_id ),
			'warnings'    => array_map( array( self::class, 'warning' ), $warnings ),
		);
	}

	/**
	 * A service warning (written for API callers, in English) in the editor's words.
	 *
	 * @param string $warning As the service wrote it.
	 */
	public static function warning( string $warning ): string {
		$known = array(
			'the model read the first'            => __( 'The model read only the opening of this long article.', 'ringkas' ),
			'language check skipped'              => __( 'The language check was skipped.', 'ringkas' ),
			'the language could not be detected'  => __( 'The language of this text could not be told.', 'ringkas' ),
			'the text looks Malay'                => __( 'This text looks Malay; the model is tuned for Indonesian.', 'ringkas' ),
			'the text may be'                     => __( 'This text may not be Indonesian.', 'ringkas' ),
			'the text has no line breaks'         => __( 'The article has no paragraph breaks, so some boilerplate may remain.', 'ringkas' ),
			'the partial summaries did not'       => __( 'The summary rests on part of the article only.', 'ringkas' ),
		);
		foreach ( $known as $start => $words ) {
			if ( 0 === strpos( $warning, $start ) ) {
				return $words;
			}
		}
		return __( 'The service left a note about this summary.', 'ringkas' );
	}
}

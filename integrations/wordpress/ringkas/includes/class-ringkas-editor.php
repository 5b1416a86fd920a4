<?php
/**
 * The block editor's "Ringkas" panel: its script and its words.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * Enqueues the panel for posts.
 */
final class Ringkas_Editor {
	public static function enqueue(): void {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( $screen && 'post' !== $screen->post_type ) {
			return;
		}
		wp_enqueue_script(
			'ringkas-editor',
			plugins_url( 'assets/editor.js', RINGKAS_FILE ),
			array( 'wp-plugins', 'wp-edit-post', 'wp-element', 'wp-components', 'wp-data', 'wp-api-fetch', 'wp-blocks', 'wp-escape-html' ),
			RINGKAS_VERSION,
			true
		);
		wp_enqueue_style( 'ringkas-editor', plugins_url( 'assets/editor.css', RINGKAS_FILE ), array(), RINGKAS_VERSION );
		// The words come from the plugin's PHP translations (languages/ringkas-id_ID.mo), one place.
		wp_localize_script(
			'ringkas-editor',
			'ringkasEditor',
			array(
				'title'       => __( 'Ringkas', 'ringkas' ),
				'make'        => __( 'Make a summary', 'ringkas' ),
				'remake'      => __( 'Make it again', 'ringkas' ),
				'working'     => __( 'Summarizing…', 'ringkas' ),
				'summary'     => __( 'Summary', 'ringkas' ),
				'translation' => __( 'English translation', 'ringkas' ),
				'excerpt'     => __( 'Use as the excerpt', 'ringkas' ),
				'excerptDone' => __( 'The summary is now the excerpt. Save the post to keep it.', 'ringkas' ),
				'copy'        => __( 'Copy', 'ringkas' ),
				'copied'      => __( 'Copied', 'ringkas' ),
				'insert'      => __( 'Insert as the first paragraph', 'ringkas' ),
				'stale'       => __( 'The post changed since this summary was made: make it again.', 'ringkas' ),
				'madeAt'      => __( 'Made %s', 'ringkas' ),
				'empty'       => __( 'Write the post first: there is no text to summarize yet.', 'ringkas' ),
				'failed'      => __( 'No summary was made. The post and its excerpt are unchanged.', 'ringkas' ),
				'background'  => __( 'The background summary failed:', 'ringkas' ),
				'technical'   => __( 'Technical details', 'ringkas' ),
			)
		);
	}
}

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
	/**
	 * The Classic editor (and any screen without the block editor): a box that shows the summary and
	 * says plainly that making one needs the block editor.
	 *
	 * @param string  $post_type The type.
	 * @param WP_Post $post      The post.
	 */
	public static function meta_box( $post_type, $post = null ): void {
		if ( ! Ringkas_Options::supports( (string) $post_type ) || ! $post instanceof WP_Post ) {
			return;
		}
		add_meta_box( 'ringkas-classic', __( 'Ringkas', 'ringkas' ), array( self::class, 'render_box' ), $post_type, 'side', 'high', array( '__back_compat_meta_box' => true ) );
	}

	/**
	 * @param WP_Post $post The post.
	 */
	public static function render_box( $post ): void {
		$summary = (string) get_post_meta( $post->ID, Ringkas_Meta::SUMMARY, true );
		$error   = Ringkas_Errors::stored( $post->ID );
		echo '<div class="ringkas-classic">';
		if ( '' !== $summary ) {
			echo '<p class="ringkas-summary" lang="id">' . esc_html( $summary ) . '</p>';
			$label = Ringkas_List::labels()[ Ringkas_Summaries::state( $post ) ];
			/* translators: %s: the summary's state, e.g. Stale */
			echo '<p><em>' . esc_html( sprintf( __( 'State: %s', 'ringkas' ), $label ) ) . '</em></p>';
		} elseif ( $error ) {
			echo '<p class="ringkas-error">' . esc_html( Ringkas_Errors::message( $error['code'], (array) $error['facts'] ) ) . '</p>';
		}
		echo '<p>' . esc_html__( 'Making a summary here needs the block editor. In the Classic editor, use the "Summarize with Ringkas" bulk action in the posts list, or summarize on publish.', 'ringkas' ) . '</p>';
		echo '</div>';
	}

	public static function enqueue(): void {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( $screen && ! Ringkas_Options::supports( (string) $screen->post_type ) ) {
			return;
		}
		wp_enqueue_script(
			'ringkas-editor',
			plugins_url( 'assets/editor.js', RINGKAS_FILE ),
			array( 'wp-plugins', 'wp-edit-post', 'wp-element', 'wp-components', 'wp-data', 'wp-api-fetch', 'wp-blocks', 'wp-escape-html', 'wp-date', 'wp-notices' ),
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
				'insertDone'  => __( 'The summary is now the first paragraph.', 'ringkas' ),
				'queued'      => __( 'A summary is on its way: it is being made in the background and appears here by itself.', 'ringkas' ),
				'force'       => __( 'Summarize anyway', 'ringkas' ),
				'onPublish'   => Ringkas_Options::get()['on_publish'],
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

<?php
/**
 * The Posts list (of every chosen type): a "Summary" column (none, fresh, stale, failed) and bulk
 * actions (summarize each; a digest of several into a new draft). Bulk actions are a small table (`ringkas_bulk_actions` filter: slug => label, handler),
 * so another action joins without touching the list code.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * Column and bulk actions, hooked for the list screen being shown.
 */
final class Ringkas_List {
	const COLUMN = 'ringkas';
	const ARGS   = array( 'ringkas_bulk', 'ringkas_count', 'ringkas_error', 'ringkas_post', 'ringkas_lang' );

	/**
	 * @param WP_Screen $screen The admin screen being loaded.
	 */
	public static function screen( $screen ): void {
		if ( ! $screen || 'edit' !== $screen->base || ! Ringkas_Options::supports( (string) $screen->post_type ) ) {
			return;
		}
		$type = $screen->post_type;
		add_filter( "manage_{$type}_posts_columns", array( self::class, 'columns' ) );
		add_action( "manage_{$type}_posts_custom_column", array( self::class, 'cell' ), 10, 2 );
		add_filter( "bulk_actions-edit-{$type}", array( self::class, 'bulk_actions' ) );
		add_filter( "handle_bulk_actions-edit-{$type}", array( self::class, 'handle' ), 10, 3 );
		add_action( 'admin_notices', array( self::class, 'notice' ) );
	}

	/** @return array<string, array{label: string, handler: callable}> */
	public static function actions(): array {
		return (array) apply_filters(
			'ringkas_bulk_actions',
			array(
				'ringkas_summarize' => array(
					'label'   => __( 'Summarize with Ringkas', 'ringkas' ),
					'handler' => array( self::class, 'summarize' ),
				),
				'ringkas_digest'    => array(
					'label'   => __( 'Make a Ringkas digest of these posts', 'ringkas' ),
					'handler' => array( 'Ringkas_Digest', 'bulk' ),
				),
			)
		);
	}

	public static function columns( array $columns ): array {
		$columns[ self::COLUMN ] = __( 'Summary', 'ringkas' );
		return $columns;
	}

	/**
	 * @param string $column  The column.
	 * @param int    $post_id The row's post.
	 */
	public static function cell( $column, $post_id ): void {
		if ( self::COLUMN !== $column ) {
			return;
		}
		$post   = get_post( (int) $post_id );
		$state  = $post ? Ringkas_Summaries::state( $post ) : 'none';
		$labels = self::labels();
		$title  = '';
		if ( 'failed' === $state ) {
			$error = Ringkas_Errors::stored( (int) $post_id );
			$title = $error ? Ringkas_Errors::message( $error['code'], (array) $error['facts'] ) : '';
		} elseif ( 'none' === $state && Ringkas_Publish::pending( (int) $post_id ) ) {
			$state = 'queued';
		}
		printf( '<span class="ringkas-state ringkas-state-%1$s" title="%2$s">%3$s</span>', esc_attr( $state ), esc_attr( $title ), esc_html( $labels[ $state ] ) );
	}

	public static function labels(): array {
		return array(
			'none'   => __( 'None', 'ringkas' ),
			'fresh'  => __( 'Up to date', 'ringkas' ),
			'stale'  => __( 'Stale', 'ringkas' ),
			'failed' => __( 'Failed', 'ringkas' ),
			'queued' => __( 'On its way', 'ringkas' ),
		);
	}

	public static function bulk_actions( array $actions ): array {
		foreach ( self::actions() as $slug => $action ) {
			$actions[ $slug ] = $action['label'];
		}
		return $actions;
	}

	/**
	 * @param string $redirect Where to go back.
	 * @param string $action   The chosen action.
	 * @param int[]  $ids      The ticked posts.
	 */
	public static function handle( $redirect, $action, $ids ): string {
		$actions = self::actions();
		if ( ! isset( $actions[ $action ] ) ) {
			return $redirect;
		}
		$ids = array_values(
			array_filter(
				array_map( 'intval', (array) $ids ),
				static function ( int $id ): bool {
					return current_user_can( 'edit_post', $id );
				}
			)
		);
		$result = call_user_func( $actions[ $action ]['handler'], $ids );
		if ( is_array( $result ) && ! empty( $result['redirect'] ) ) {
			// Somewhere new, such as the draft a digest wrote. Not returned: edit.php strips `action`
			// and `post` from what this filter returns, which would turn post.php?post=N&action=edit
			// into a bare post.php (and so back to the list).
			wp_safe_redirect( (string) $result['redirect'] );
			exit;
		}
		$args = array(
			'ringkas_bulk'  => $action,
			'ringkas_count' => is_array( $result ) ? (int) ( $result['count'] ?? 0 ) : (int) $result,
		);
		if ( is_array( $result ) && ! empty( $result['error'] ) ) {
			// Only a code and its facts travel in the address; the words are made when shown.
			$args['ringkas_error'] = sanitize_key( (string) $result['error'] );
			$args['ringkas_post']  = (int) ( $result['post'] ?? 0 );
			$args['ringkas_lang']  = (string) ( $result['facts']['code'] ?? '' );
		}
		return add_query_arg( $args, remove_query_arg( self::ARGS, $redirect ) );
	}

	/**
	 * Queues each post's summary in the background, with the archive job's rules: not over a fresh
	 * summary, not for a post the service refused as it is.
	 *
	 * @param int[] $ids Posts the user may edit.
	 * @return int How many were queued.
	 */
	public static function summarize( array $ids ): int {
		$queued = 0;
		foreach ( $ids as $id ) {
			$post = get_post( $id );
			if ( $post && Ringkas_Options::supports( $post->post_type ) && Ringkas_Publish::queue( $post ) ) {
				++$queued;
			}
		}
		return $queued;
	}

	public static function notice(): void {
		// phpcs:disable WordPress.Security.NonceVerification -- display only.
		if ( ! isset( $_GET['ringkas_bulk'], $_GET['ringkas_count'] ) ) {
			return;
		}
		$count = (int) $_GET['ringkas_count'];
		if ( isset( $_GET['ringkas_error'] ) ) {
			$lang = isset( $_GET['ringkas_lang'] ) ? (string) wp_unslash( $_GET['ringkas_lang'] ) : '';
			$lang = preg_match( '/^[a-z]{3}_[A-Z][a-z]{3}$/', $lang ) ? $lang : '';
			$html = Ringkas_Digest::problem( sanitize_key( wp_unslash( $_GET['ringkas_error'] ) ), $count, (int) ( $_GET['ringkas_post'] ?? 0 ), $lang );
			printf( '<div class="notice notice-error is-dismissible ringkas-bulk-error"><p>%s</p></div>', $html ); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped by problem().
			return;
		}
		if ( 'ringkas_summarize' !== $_GET['ringkas_bulk'] ) {
			return;
		}
		// phpcs:enable
		/* translators: %d: number of posts */
		$text = sprintf( _n( '%d post is being summarized in the background.', '%d posts are being summarized in the background.', $count, 'ringkas' ), $count );
		printf( '<div class="notice notice-success is-dismissible"><p>%s</p></div>', esc_html( $text ) );
	}
}
